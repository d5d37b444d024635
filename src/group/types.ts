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
