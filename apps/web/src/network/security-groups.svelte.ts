import type { Hypervisor, PortInfo, RuleProtocol, SecurityGroupInfo, SecurityRule } from "@hyperlab/core";

/** How often the rules' counters are read again (they change with every frame). */
const REFRESH_MS = 500;

/** A rule as the form holds it: ports empty for "every port". */
export interface RuleDraft {
  protocol: RuleProtocol;
  ports: string;
  source: string;
}

/**
 * What the Security groups view shows: each group with its rules and their counters, and each
 * guest's port with its groups. Every change goes through `hv.network`, so the core checks it
 * (a bad rule is its HyperlabError); the view follows `network:change` and polls the counters.
 */
export class SecurityGroupsModel {
  groups = $state.raw<SecurityGroupInfo[]>([]);
  ports = $state.raw<PortInfo[]>([]);
  segments = $state.raw<string[]>([]);

  private readonly stops: (() => void)[] = [];

  constructor(readonly hv: Hypervisor) {
    this.refresh();
    const subs = [
      hv.network.on("network:change", () => this.refresh()),
      hv.on("guest:created", () => this.refresh()),
      hv.on("guest:removed", () => this.refresh()),
    ];
    this.stops.push(() => subs.forEach((s) => s.dispose()));
    const timer = setInterval(() => this.refresh(), REFRESH_MS);
    this.stops.push(() => clearInterval(timer));
  }

  refresh(): void {
    this.groups = this.hv.network.groups;
    this.ports = this.hv.network.ports;
    this.segments = this.hv.network.segments.map((s) => s.name);
  }

  /** A group with no rule: nothing gets in to the guests it is attached to (but their own connections' answers). */
  addGroup(name: string): void {
    this.hv.network.defineGroup({ name, rules: [] });
  }

  removeGroup(name: string): void {
    this.hv.network.removeGroup(name);
  }

  addRule(group: string, draft: RuleDraft): void {
    const rule: SecurityRule = { protocol: draft.protocol, source: draft.source.trim() };
    if (draft.ports.trim()) rule.ports = draft.ports.trim();
    this.hv.network.addRule(group, rule);
  }

  removeRule(group: string, index: number): void {
    this.hv.network.removeRule(group, index);
  }

  /** Attaches (on) or detaches (off) a group on a guest's port, keeping its other groups. */
  setAttached(guest: string, group: string, on: boolean): void {
    const current = this.ports.find((p) => p.guest === guest)?.groups ?? [];
    const next = on ? [...current.filter((g) => g !== group), group] : current.filter((g) => g !== group);
    this.hv.network.setGroups(guest, next);
  }

  /** What a rule's source can be, for the form's suggestions: everyone, each segment, each group. */
  get sources(): string[] {
    return ["0.0.0.0/0", ...this.segments.map((s) => `segment:${s}`), ...this.groups.map((g) => `group:${g.name}`)];
  }

  dispose(): void {
    for (const stop of this.stops) stop();
  }
}
