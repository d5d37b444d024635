// The box's health for the pages: CPU load, memory, file systems, temperatures where the
// hardware has sensors (systeminformation). Cached for two seconds: every open page polls.
import * as si from 'systeminformation';

export interface Health {
  cpu: { load: number; cores: number[] };
  memory: { total: number; used: number; available: number };
  disks: Array<{ mount: string; fs: string; size: number; used: number; use: number }>;
  temperature: { main: number | null; cores: number[] };
  uptime: number;
}

let cached: { at: number; value: Promise<Health> } | undefined;

export function health(now = Date.now()): Promise<Health> {
  if (cached && now - cached.at < 2000) return cached.value;
  const value = (async (): Promise<Health> => {
    const [load, mem, disks, temp] = await Promise.all([si.currentLoad(), si.mem(), si.fsSize(), si.cpuTemperature()]);
    return {
      cpu: { load: round(load.currentLoad), cores: load.cpus.map((c) => round(c.load)) },
      memory: { total: mem.total, used: mem.active, available: mem.available },
      disks: disks.map((x) => ({ mount: x.mount, fs: x.fs, size: x.size, used: x.used, use: round(x.use ?? 0) })),
      temperature: { main: typeof temp.main === 'number' ? temp.main : null, cores: temp.cores ?? [] },
      uptime: si.time().uptime,
    };
  })();
  cached = { at: now, value };
  value.catch(() => { cached = undefined; });
  return value;
}

const round = (n: number) => Math.round(n * 10) / 10;
