/**
 * The device allowlist (DESIGN §4): Docker's default rules, written as v1
 * devices.allow lines or compiled into a cgroup v2 eBPF device program.
 *
 * The program (BPF_PROG_TYPE_CGROUP_DEVICE) gets a struct bpf_cgroup_dev_ctx:
 *   u32 access_type  (access << 16) | type; type 1 = block, 2 = char;
 *                    access bits 1 = mknod, 2 = read, 4 = write
 *   u32 major, u32 minor
 * and returns 1 to allow, 0 to deny (the caller gets EPERM). It is a list of
 * rule blocks; each block falls through to the next on any mismatch and
 * returns 1 when everything matches; after the last block it returns 0.
 */

export type DeviceType = 'a' | 'b' | 'c';

export interface DeviceRule {
  /** 'a' = any type */
  type: DeviceType;
  /** '*' = any */
  major: number | '*';
  minor: number | '*';
  /** some of 'r', 'w', 'm' */
  access: string;
}

const rule = (type: DeviceType, major: number | '*', minor: number | '*', access = 'rwm'): DeviceRule => ({
  type,
  major,
  minor,
  access,
});

/** Docker's default allowlist (everything else denied). */
export const DEFAULT_DEVICE_RULES: readonly DeviceRule[] = [
  rule('c', '*', '*', 'm'), // mknod any char device …
  rule('b', '*', '*', 'm'), // … or block device (opening it is another matter)
  rule('c', 1, 3), // /dev/null
  rule('c', 1, 5), // /dev/zero
  rule('c', 1, 7), // /dev/full
  rule('c', 1, 8), // /dev/random
  rule('c', 1, 9), // /dev/urandom
  rule('c', 5, 0), // /dev/tty
  rule('c', 5, 1), // /dev/console
  rule('c', 5, 2), // /dev/ptmx
  rule('c', 136, '*'), // /dev/pts/*
  rule('c', 10, 200), // /dev/net/tun
];

/** "c 1:3 rwm", the format of v1 devices.allow / devices.deny. */
export function v1RuleLine(r: DeviceRule): string {
  return `${r.type} ${r.major}:${r.minor} ${r.access}`;
}

// --- eBPF assembly ------------------------------------------------------------

const BPF_DEVCG_DEV_BLOCK = 1;
const BPF_DEVCG_DEV_CHAR = 2;
export const BPF_DEVCG_ACC_MKNOD = 1;
export const BPF_DEVCG_ACC_READ = 2;
export const BPF_DEVCG_ACC_WRITE = 4;

/** opcodes used (linux/bpf_common.h, linux/bpf.h) */
export const OP = {
  LDX_MEM_W: 0x61, // dst = *(u32 *)(src + off)
  ALU64_AND_K: 0x57, // dst &= imm
  ALU64_RSH_K: 0x77, // dst >>= imm
  ALU64_MOV_K: 0xb7, // dst = imm
  ALU64_MOV_X: 0xbf, // dst = src
  JMP_JNE_K: 0x55, // if dst != imm: pc += off
  EXIT: 0x95, // return r0
} as const;

export interface Insn {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
}

const insn = (code: number, dst: number, src: number, off: number, imm: number): Insn => ({ code, dst, src, off, imm });

/** Registers: r1 = ctx on entry; the program keeps the fields in r2..r5. */
const R0 = 0, R1 = 1, TYPE = 2, ACCESS = 3, MAJOR = 4, MINOR = 5, TMP = 6; // prettier-ignore

function accessBits(access: string): number {
  let bits = 0;
  for (const ch of access) {
    if (ch === 'm') bits |= BPF_DEVCG_ACC_MKNOD;
    else if (ch === 'r') bits |= BPF_DEVCG_ACC_READ;
    else if (ch === 'w') bits |= BPF_DEVCG_ACC_WRITE;
    else throw new RangeError(`device rule access ${JSON.stringify(access)}: only r, w and m`);
  }
  return bits;
}

function checkNumber(what: string, v: number | '*'): void {
  // the JNE immediate is a signed 32-bit value compared with a zero-extended u32
  if (v !== '*' && !(Number.isInteger(v) && v >= 0 && v < 2 ** 31)) throw new RangeError(`device ${what} ${v} out of range`);
}

/** The program as instructions (see the module comment for its shape). */
export function deviceFilterProgram(rules: readonly DeviceRule[]): Insn[] {
  const prog: Insn[] = [
    insn(OP.LDX_MEM_W, TYPE, R1, 0, 0),
    insn(OP.ALU64_AND_K, TYPE, 0, 0, 0xffff),
    insn(OP.LDX_MEM_W, ACCESS, R1, 0, 0),
    insn(OP.ALU64_RSH_K, ACCESS, 0, 0, 16),
    insn(OP.LDX_MEM_W, MAJOR, R1, 4, 0),
    insn(OP.LDX_MEM_W, MINOR, R1, 8, 0),
  ];
  for (const r of rules) {
    checkNumber('major', r.major);
    checkNumber('minor', r.minor);
    const allowed = accessBits(r.access);
    // each check jumps to the block's end on mismatch; offsets are patched once the block's length is known
    const block: Insn[] = [];
    if (r.type !== 'a') block.push(insn(OP.JMP_JNE_K, TYPE, 0, 0, r.type === 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR));
    if (allowed !== 7) {
      // any requested access outside the rule's set → mismatch
      block.push(insn(OP.ALU64_MOV_X, TMP, ACCESS, 0, 0));
      block.push(insn(OP.ALU64_AND_K, TMP, 0, 0, ~allowed & 7));
      block.push(insn(OP.JMP_JNE_K, TMP, 0, 0, 0));
    }
    if (r.major !== '*') block.push(insn(OP.JMP_JNE_K, MAJOR, 0, 0, r.major));
    if (r.minor !== '*') block.push(insn(OP.JMP_JNE_K, MINOR, 0, 0, r.minor));
    block.push(insn(OP.ALU64_MOV_K, R0, 0, 0, 1));
    block.push(insn(OP.EXIT, 0, 0, 0, 0));
    block.forEach((ins, i) => {
      if (ins.code === OP.JMP_JNE_K) ins.off = block.length - (i + 1);
    });
    prog.push(...block);
  }
  prog.push(insn(OP.ALU64_MOV_K, R0, 0, 0, 0), insn(OP.EXIT, 0, 0, 0, 0));
  return prog;
}

/** struct bpf_insn[] in the host's byte order (little-endian on every platform berth targets). */
export function encodeProgram(prog: readonly Insn[]): Buffer {
  const buf = Buffer.alloc(prog.length * 8);
  prog.forEach((ins, i) => {
    buf.writeUInt8(ins.code, i * 8);
    buf.writeUInt8((ins.src << 4) | ins.dst, i * 8 + 1);
    buf.writeInt16LE(ins.off, i * 8 + 2);
    buf.writeInt32LE(ins.imm, i * 8 + 4);
  });
  return buf;
}

/** The program for `rules`, ready for Native.attachDeviceFilter. */
export function compileDeviceFilter(rules: readonly DeviceRule[] = DEFAULT_DEVICE_RULES): Buffer {
  return encodeProgram(deviceFilterProgram(rules));
}
