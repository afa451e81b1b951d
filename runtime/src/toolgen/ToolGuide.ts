// Tool-guided decoding of one completion: at a trigger ask the tool (on the overlaid text), then decode inside its names.
import type { DecodeGuide, GuideStep } from '../generate/generate.js';
import { callTool, type ToolOutcome } from './callTool.js';
import type { CompletionTool } from './CompletionTool.js';
import { NameConstraint, stepThrough } from './NameConstraint.js';
import { NameTrie } from './NameTrie.js';
import { TokenMask } from './TokenMask.js';
import { markTrigger, probabilityOf, ruleTrigger, type Trigger } from './triggers.js';

/** What a request asks of tool-guided decoding. */
export interface ToolGuidance {
  tool: CompletionTool;
  /** Most milliseconds one tool call may take (then: free decoding). Default DEFAULT_TOOL_BUDGET_MS. */
  budgetMs?: number;
  /** The model's mark triggers when its probability is at least this. Default DEFAULT_MARK_GATE. */
  gate?: number;
  /** Rule triggers (member access, imports). Default true. */
  rules?: boolean;
  /** At a rule trigger, feed the model's mark first (it was trained to write names after it). Default true. */
  markOnRules?: boolean;
  /** Passed on to the tool (see ToolQuery). */
  uri?: string;
  languageId?: string;
}

/** One tool call made while decoding. */
export interface ToolCallRecord {
  trigger: 'mark' | 'rule';
  outcome: ToolOutcome;
  ms: number;
  names: number;
  /** The constraint was entered (some candidate starts with what is typed). */
  constrained: boolean;
  /** The mark's probability where the trigger fired (undefined: the model has no mark). */
  pMark?: number;
}

export const DEFAULT_MARK_GATE = 0.8;
export const DEFAULT_TOOL_BUDGET_MS = 200;

/** The text around the generation: the document before and after the cursor. */
export interface Overlay {
  prefix: string;
  suffix: string;
}

const UTF8 = new TextEncoder();

export class ToolGuide implements DecodeGuide {
  readonly calls: ToolCallRecord[] = [];
  private constraint: NameConstraint | undefined;
  private pendingMark: { t: Trigger; trigger: 'mark' | 'rule'; pMark: number } | undefined;
  /** Sites (offsets in prefix + generated) already asked about, so one place is asked once. */
  private readonly tried = new Set<number>();

  constructor(
    private readonly guidance: ToolGuidance,
    private readonly mask: TokenMask,
    private readonly overlay: Overlay,
    /** The model's mark token (never shown), if it has one. */
    private readonly markId: number | undefined,
    /** Tokens that end the completion: allowed once a name is complete. */
    private readonly stopIds: readonly number[],
  ) {}

  async step(logits: Float32Array, generated: string, signal?: AbortSignal): Promise<GuideStep> {
    if (this.constraint) return this.constrained(logits);
    const before = this.overlay.prefix + generated;
    const pending = this.pendingMark;
    if (pending) {
      this.pendingMark = undefined;
      if (await this.ask(pending.t, pending.trigger, generated, signal, pending.pMark)) return this.constrained(logits);
      return { logits: this.free(logits) };
    }
    const pMark = this.markId === undefined ? undefined : probabilityOf(logits, this.markId);
    const atMark = markTrigger(before);
    if (pMark !== undefined && !this.tried.has(atMark.site) && pMark >= (this.guidance.gate ?? DEFAULT_MARK_GATE)) return this.feedMark(atMark, 'mark', pMark);
    const rule = this.guidance.rules === false ? undefined : ruleTrigger(before);
    if (rule && !this.tried.has(rule.site)) {
      if (pMark !== undefined && this.guidance.markOnRules !== false) return this.feedMark(rule, 'rule', pMark);
      this.tried.add(rule.site);
      if (await this.ask(rule, 'rule', generated, signal, pMark)) return this.constrained(logits);
    }
    return { logits: this.free(logits) };
  }

  /** Feeds the mark (kept in the model's context, never shown); the tool is asked at the next step. */
  private feedMark(t: Trigger, trigger: 'mark' | 'rule', pMark: number): GuideStep {
    this.tried.add(t.site);
    this.pendingMark = { t, trigger, pMark };
    return { feed: this.markId! };
  }

  /**
   * Before a byte-level lead is chosen (bytes/promptLead.ts): when the text before the cursor is a trigger, asks the
   * tool now and returns which lead overhangs (the lead token's bytes past the cursor) keep a candidate possible.
   */
  async prime(signal?: AbortSignal): Promise<((overhang: Uint8Array) => boolean) | undefined> {
    const rule = this.guidance.rules === false ? undefined : ruleTrigger(this.overlay.prefix);
    if (!rule) return undefined;
    this.tried.add(rule.site);
    if (!(await this.ask(rule, 'rule', '', signal))) return undefined;
    const node = this.constraint!.node;
    return (overhang) => stepThrough(overhang, node).kind !== 'denied';
  }

  /** The lead's overhang was written: the constraint (if any) moves past it. */
  leadWritten(overhang: Uint8Array): void {
    if (this.constraint && !this.constraint.advance(overhang)) this.constraint = undefined;
  }

  accepted(id: number): void {
    if (this.constraint && !this.constraint.advance(this.mask.vocab.bytesOf(id))) this.constraint = undefined;
  }

  /** Asks the tool at the end of the generated text; true when decoding is now constrained to its names. */
  private async ask(t: Trigger, trigger: 'mark' | 'rule', generated: string, signal?: AbortSignal, pMark?: number): Promise<boolean> {
    const { prefix, suffix } = this.overlay;
    const query = { text: prefix + generated + suffix, offset: prefix.length + generated.length, uri: this.guidance.uri, languageId: this.guidance.languageId };
    const r = await callTool(this.guidance.tool, query, this.guidance.budgetMs ?? DEFAULT_TOOL_BUDGET_MS, signal);
    this.tried.add(t.site);
    this.constraint = r.names.length ? NameConstraint.start(new NameTrie(r.names), UTF8.encode(t.typed)) : undefined;
    this.calls.push({ trigger, outcome: r.outcome, ms: r.ms, names: r.names.length, constrained: this.constraint !== undefined, pMark });
    return this.constraint !== undefined;
  }

  private constrained(logits: Float32Array): GuideStep {
    const c = this.constraint!;
    const allowed = this.mask.allowed(c.node);
    if (c.complete) allowed.push(...this.stopIds);
    if (allowed.length === 0) {
      this.constraint = undefined;
      return { logits: this.free(logits) };
    }
    return { logits: TokenMask.apply(logits, allowed) };
  }

  /** Free decoding: everything but the mark (below the gate it is not taken). */
  private free(logits: Float32Array): Float32Array {
    if (this.markId === undefined) return logits;
    const out = logits.slice();
    out[this.markId] = -Infinity;
    return out;
  }
}
