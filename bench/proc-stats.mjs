// CPU time and memory of a process (and, for nginx, its workers) read from /proc, so that any program can
// be measured the same way without its cooperation.
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

let ticksPerSecond;
function clockTicks() {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** The pid and its children (for nginx: the master and its workers). */
export function processTree(pid) {
  const pids = [pid];
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    if (children) pids.push(...children.split(/\s+/).map(Number));
  } catch {
    // Gone, or no children file: just the pid.
  }
  return pids;
}

/** User + system CPU seconds of all threads of the process tree. */
export function cpuSeconds(pid) {
  let ticks = 0;
  for (const p of processTree(pid)) {
    const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at "state"; utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / clockTicks();
}

function statusField(pid, name) {
  const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'));
  return match ? Number(match[1]) * 1024 : NaN;
}

/** Peak resident set size (VmHWM) in bytes, summed over the process tree. */
export function peakRssBytes(pid) {
  return processTree(pid).reduce((sum, p) => sum + statusField(p, 'VmHWM'), 0);
}

/** Current resident set size (VmRSS) in bytes, summed over the process tree. */
export function rssBytes(pid) {
  return processTree(pid).reduce((sum, p) => sum + statusField(p, 'VmRSS'), 0);
}

/**
 * Starts a new peak-RSS window: writing 5 to clear_refs resets VmHWM to the current RSS (Linux ≥ 4.0).
 * Returns false where that is not allowed, in which case VmHWM is the peak since the process started.
 */
export function resetPeakRss(pid) {
  try {
    for (const p of processTree(pid)) writeFileSync(`/proc/${p}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}
