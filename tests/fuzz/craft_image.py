"""tests/fuzz/craft_image.py -- damaged camp images with a valid hash, for
tests/suite_image.sh (/usr/bin/python3, standard library only).

  craft_image.py IN.campc OUTDIR     writes OUTDIR/NAME.campc for each case below
  craft_image.py --fix-hash FILE     rewrites FILE's header (length, SHA-256)

An attacker does not need camp to write an image: the SHA-256 in the header
only proves the bytes were not damaged by accident.  Each case parses a
good image (runtime/program.c's layout), changes the bytecode so one operand
points past its table, and re-seals it with a correct length and hash, so
the loader's validation -- not the hash -- is what must refuse it.  Most
cases hide the bad instruction after a RET or behind a jump, where no path
of the block reaches it: a loader that checks only reachable code passes
them and `camp disasm`, which lists every instruction, read past the tables.
"""
import hashlib, os, re, struct, sys

HERE = os.path.dirname(os.path.abspath(__file__))
OPS = re.findall(r"^OPCODE\((\w+),", open(os.path.join(HERE, "..", "..", "runtime", "opcodes.def")).read(), re.M)
OP = {name: i for i, name in enumerate(OPS)}
HEADER = 8 + 4 + 32 + 4


def seal(head, body):
    """The image with head's magic and version, body's length and hash."""
    return head[:12] + hashlib.sha256(body).digest() + struct.pack("<I", len(body)) + body


class Reader:
    def __init__(self, b):
        self.b, self.p = b, 0

    def u8(self):
        self.p += 1
        return self.b[self.p - 1]

    def u32(self):
        self.p += 4
        return struct.unpack_from("<I", self.b, self.p - 4)[0]

    def skip(self, n):
        self.p += n

    def value(self):
        tag = self.u8()
        if tag == 0:
            return
        if tag == 4:                          # VAL_TEXT: a string index
            self.skip(4)
        elif tag == 7:                        # VAL_LIST
            for _ in range(self.u32()):
                self.value()
        else:                                 # bool, int, real, time, duration
            self.skip(8)


def models(r, version):
    """Read the model table; the field count of each model."""
    counts = []
    for _ in range(r.u32()):
        r.skip(4)
        n = r.u32()
        r.skip(5 * n)
        if version >= 2:                      # the opt-out field
            r.skip(4)
        counts.append(n)
    return counts


def parse(img):
    """(body up to the code table, code blocks, bytecode, the rest) of img."""
    r = Reader(img[HEADER:])
    for _ in range(r.u32()):                  # strings
        r.skip(r.u32())
    for _ in range(r.u32()):                  # constants
        r.value()
    version = struct.unpack_from("<I", img, 8)[0]
    models(r, version)
    r.skip((96 if version >= 7 else 57 if version >= 6 else 53 if version >= 4 else 49 if version >= 3 else 36) * r.u32())   # campaigns (3 on: + isMailing, list, at; 4: + initiative; 6: + via; 7: + timing)
    r.skip((100 if version >= 7 else 71 if version >= 5 else 66) * r.u32())   # activities (5 on: + visit match, pattern; 7: + timing, path)
    r.skip((30 if version >= 4 else 20) * r.u32())   # lists (4 on: + kind, keep, contact, filter text)
    if version >= 4:                          # initiatives
        r.skip(49 * r.u32())
    if version >= 5:                          # websites, then their goals
        r.skip(45 * r.u32())
        r.skip(4 * r.u32())
    if version >= 6:                          # syncs, then their fields
        r.skip(41 * r.u32())
        r.skip(12 * r.u32())
    if version >= 7:                          # split shares
        r.skip(2 * r.u32())
    if version < 3:                           # mailings (3 on: lowered to campaigns)
        r.skip(40 * r.u32())
    before = r.b[:r.p]
    blocks = []
    for _ in range(r.u32()):
        kind, model, start, length, line, file = struct.unpack_from("<BIIIII", r.b, r.p)
        r.skip(21)
        blocks.append([kind, model, start, length, line, file])
    n = r.u32()
    bc = bytearray(r.b[r.p:r.p + n])
    r.skip(n)
    return before, blocks, bc, r.b[r.p:]


def build(head, before, blocks, bc, rest):
    body = bytearray(before)
    body += struct.pack("<I", len(blocks))
    for b in blocks:
        body += struct.pack("<BIIIII", *b)
    body += struct.pack("<I", len(bc)) + bc + rest
    return seal(head, bytes(body))


def ins(name, *operand):
    return bytes([OP[name]]) + b"".join(operand)


def u32(v):
    return struct.pack("<I", v)


def native(n, argc):
    return struct.pack("<HB", n, argc)


BAD = 0xFFFFFFF0
CASES = {
    # name: the block's code; the bad operand is never reached (but listed)
    "const_after_ret":     ins("NULL") + ins("RET") + ins("CONST", u32(BAD)) + ins("RET"),
    "field_after_ret":     ins("NULL") + ins("RET") + ins("FIELD", u32(BAD)) + ins("RET"),
    "call_after_ret":      ins("NULL") + ins("RET") + ins("NULL") + ins("CALL", native(0xFFFF, 1)) + ins("RET"),
    "action_after_ret":    ins("NULL") + ins("RET") + ins("ACTION", native(0xFFFF, 0)) + ins("NULL") + ins("RET"),
    "const_jumped_over":   ins("JUMP", u32(10)) + ins("CONST", u32(BAD)) + ins("NULL") + ins("RET"),
    "field_jumped_over":   ins("JUMP", u32(10)) + ins("FIELD", u32(BAD)) + ins("NULL") + ins("RET"),
    # reached: the checks the VM always relied on
    "const_reached":       ins("CONST", u32(BAD)) + ins("RET"),
    "field_reached":       ins("FIELD", u32(BAD)) + ins("RET"),
    "call_reached":        ins("NULL") + ins("CALL", native(0xFFFF, 1)) + ins("RET"),
    "field_one_past":      None,          # FIELD nfield of the block's model: filled in below
}


def main():
    if sys.argv[1] == "--fix-hash":
        img = open(sys.argv[2], "rb").read()
        open(sys.argv[2], "wb").write(seal(img, img[HEADER:]))
        return
    img = open(sys.argv[1], "rb").read()
    out = sys.argv[2]
    os.makedirs(out, exist_ok=True)
    head = img[:HEADER]
    before, blocks, bc, rest = parse(img)
    # the number of fields of block 0's model, for the off-by-one case
    r = Reader(img[HEADER:])
    for _ in range(r.u32()):
        r.skip(r.u32())
    for _ in range(r.u32()):
        r.value()
    nfield = models(r, struct.unpack_from("<I", img, 8)[0])
    CASES["field_one_past"] = ins("FIELD", u32(nfield[blocks[0][1]])) + ins("RET")
    for name, code in CASES.items():
        b2 = [list(b) for b in blocks]
        bc2 = bytearray(bc)
        b2[0][2], b2[0][3] = len(bc2), len(code)    # block 0 now runs the crafted code
        bc2 += code
        with open(os.path.join(out, name + ".campc"), "wb") as f:
            f.write(build(head, before, b2, bc2, rest))


main()
