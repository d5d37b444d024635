export { LedRole, type LedRoleDeps } from './role';
export { LedClass, LedError } from './sysfs';
export { panel, statusOf, type LedSetting, type PanelState, type MirrorState, type StatusState } from './mapping';
export { clusterStatus, mirrorDisks, mirrorState, panelState, type LiveState } from './state';
