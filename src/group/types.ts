// Contract of the group role (the seed's rc) towards clpstat, clpgrp and the monitors.
export type GroupState = 'Offline' | 'Starting' | 'Online' | 'Stopping' | 'Error';
export type ResourceState = 'Offline' | 'Starting' | 'Online' | 'Stopping' | 'Error';

export interface ResourceStatus { name: string; type: string; state: ResourceState; detail?: string }
export interface GroupStatus { name: string; state: GroupState; resources: ResourceStatus[] }

/** The groups of one server, as that server reports them. */
export interface ServerGroups { server: string; groups: GroupStatus[] }

/** What the cluster looks like from one server: every reachable server's groups. */
export interface ClusterGroups {
  groups: Array<{ name: string; state: GroupState; current: string[]; resources: ResourceStatus[] }>;
  monitors: Array<{ name: string; type: string; state: string; server: string }>;
}

/** What the monitor role asks of the group role and has it do (it never walks the groups). */
export interface GroupPort {
  /** The group named, or the group holding the resource named. */
  groupOf(target: string): string | undefined;
  isActive(group: string): boolean;
  /** Fully started: its resources' processes exist from then on. */
  isOnline(group: string): boolean;
  failoverThreshold(group: string, resource: string): number | undefined;
  /** The process of an asynchronous exec resource while active (pidw). */
  pidOf(resource: string): number | undefined;
  restartGroup(group: string): Promise<boolean>;
  restartResource(group: string, resource: string): Promise<boolean>;
  failoverGroup(group: string, threshold: number): Promise<'done' | 'threshold' | 'nowhere' | 'failed' | 'failed-there'>;
  stopGroup(group: string): Promise<{ code: number }>;
}
