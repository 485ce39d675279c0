/**
 * Issue 11, item 5: a container cannot hang or spoof `exec`. berth-nsenter's
 * child runs inside the container's namespaces until its execve; while it
 * was dumpable the container's root could open its fds through /proc — the
 * status FIFO on the host among them — and hold it open (every exec hung) or
 * write a forged `error 126` into it. A static probe inside the container
 * tries exactly that, as fast as it can, while the test runs execs.
 */
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { berth, berthOk, berthProcess, finished, requireRoot, tempDir } from './helpers/berth.js';
import { containerRoot, eventually, removeCgroupParent } from './helpers/containers.js';

const rootTest = requireRoot(test, 'gcc');
test.after.always(removeCgroupParent);

/** Scans /proc for other processes' fds 3..15; each one it can open for writing gets a forged error line and is held open. */
const ATTACKER = String.raw`
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
int main(void) {
  const char forged[] = "error 126 forged by the container\n";
  long opened = 0;
  pid_t self = getpid();
  for (;;) {
    DIR *proc = opendir("/proc");
    if (!proc) return 1;
    for (struct dirent *e; (e = readdir(proc));) {
      int pid = atoi(e->d_name);
      if (pid <= 1 || pid == self) continue;
      for (int n = 3; n < 16; n++) {
        char p[64];
        snprintf(p, sizeof p, "/proc/%d/fd/%d", pid, n);
        int fd = open(p, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) continue;
        struct stat st;
        if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode)) {
          if (write(fd, forged, sizeof forged - 1) > 0) {
            FILE *log = fopen("/tmp/opened", "w");
            if (log) fprintf(log, "%ld\n", ++opened), fclose(log);
          }
          continue; /* held open: the reader would never see EOF */
        }
        close(fd);
      }
    }
    closedir(proc);
  }
}
`;

rootTest('exec while the container tries to seize the helper\'s status FIFO: never hangs, never forged', async (t) => {
  const root = await containerRoot(t);
  const dir = tempDir(t, 'berth-exec-attack-');
  fs.writeFileSync(path.join(dir, 'attacker.c'), ATTACKER);
  execFileSync('gcc', ['-static', '-O2', '-o', path.join(dir, 'attacker'), path.join(dir, 'attacker.c')], { stdio: 'pipe' });
  const box = (await berthOk(root, 'run', '-d', '-v', `${dir}:/probe:ro`, 'busybox', 'sh', '-c', '/probe/attacker & /probe/attacker & exec sleep 600')).trim();
  await eventually(async () => (await berthOk(root, 'top', box)).split('\n').filter((l) => l.includes('attacker')).length === 2, 15_000, 'the attackers to run');
  for (let i = 0; i < 40; i++) {
    // a hung exec is killed (and fails below) instead of stalling the suite
    const child = berthProcess(root, 'exec', box, 'echo', `ok-${i}`);
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const run = await finished(child);
    clearTimeout(timer);
    t.is(run.stderr, '', `exec ${i}: no error, forged or not`);
    t.is(run.stdout, `ok-${i}\n`);
    t.is(run.code, 0);
  }
  const opened = await berth(root, 'exec', box, 'cat', '/tmp/opened');
  t.is(opened.stdout, '', 'the attackers never opened a helper\'s fd');
});
