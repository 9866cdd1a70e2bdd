#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz targets (tests/fuzz/corpus/<target>/): valid request
frames, response bodies and record batches (plain and gzip), built here byte by byte from
the protocol guide so the seeds do not depend on the code under test. Re-run after adding an
API; the output is committed."""
import gzip
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fuzz", "corpus")


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def varint(v):
    z = (v << 1) ^ (v >> 63)
    out = bytearray()
    while True:
        b = z & 0x7F
        z >>= 7
        if z:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def s16(s):  # classic string
    return struct.pack(">h", len(s)) + s.encode()


def cs(s):  # compact string
    return bytes([len(s) + 1]) + s.encode()


def record(offset_delta, key, value, headers=()):
    body = b"\x00" + varint(0) + varint(offset_delta)
    body += varint(-1) if key is None else varint(len(key)) + key
    body += varint(-1) if value is None else varint(len(value)) + value
    body += varint(len(headers))
    for k, v in headers:
        body += varint(len(k)) + k + (varint(-1) if v is None else varint(len(v)) + v)
    return varint(len(body)) + body


def batch(records, base_offset=0, codec=0):
    recs = b"".join(record(i, *r) for i, r in enumerate(records))
    if codec == 1:
        recs = gzip.compress(recs)
    after_crc = struct.pack(">hiqqqhii", codec, len(records) - 1, 1000, 1000, -1, -1, -1, len(records)) + recs
    crc = crc32c(after_crc)
    tail = struct.pack(">ibI", -1, 2, crc) + after_crc
    return struct.pack(">qi", base_offset, len(tail)) + tail


def header(key, version, corr=1, flexible=False):
    h = struct.pack(">hhi", key, version, corr) + s16("fuzz")
    return h + (b"\x00" if flexible else b"")


def write(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    b1 = batch([(b"k", b"v", [(b"h", b"x")]), (None, b"second", [])])
    bz = batch([(b"k%d" % i, b"value" * 20, []) for i in range(10)], codec=1)
    write("fuzz_record_batch", "plain", b1)
    write("fuzz_record_batch", "gzip", bz)
    write("fuzz_record_batch", "two_and_a_tail", b1 + bz + b1[:40])

    write("fuzz_request", "api_versions_v0", header(18, 0))
    write("fuzz_request", "api_versions_v3", header(18, 3, flexible=True) + cs("sluice") + cs("0.1") + b"\x00")
    write("fuzz_request", "metadata_v1", header(3, 1) + struct.pack(">i", 1) + s16("t"))
    write("fuzz_request", "metadata_v9", header(3, 9, flexible=True) + b"\x02" + cs("t") + b"\x00\x01\x00\x00\x00")
    produce = struct.pack(">hhi", -1, 1, 1000) + struct.pack(">i", 1) + s16("t") + struct.pack(">ii", 1, 0)
    write("fuzz_request", "produce_v3", header(0, 3) + produce + struct.pack(">i", len(b1)) + b1)
    fetch = struct.pack(">iiiib", -1, 500, 1, 1 << 20, 0) + struct.pack(">i", 1) + s16("t") + struct.pack(">iiqi", 1, 0, 0, 1 << 20)
    write("fuzz_request", "fetch_v4", header(1, 4) + fetch)
    join = s16("g") + struct.pack(">ii", 30000, 60000) + s16("") + s16("consumer") + struct.pack(">i", 1) + s16("range") + struct.pack(">i", 2) + b"\x00\x00"
    write("fuzz_request", "join_group_v1", header(11, 1) + join)
    create = struct.pack(">i", 1) + s16("t") + struct.pack(">ih", 3, 1) + struct.pack(">ii", 0, 0) + struct.pack(">ib", 5000, 0)
    write("fuzz_request", "create_topics_v4", header(19, 4) + create)

    meta_resp = (struct.pack(">i", 1) + struct.pack(">i", 1) + s16("h") + struct.pack(">i", 9092) + b"\xff\xff"
                 + struct.pack(">i", 1) + struct.pack(">i", 1) + b"\x00\x00" + s16("t") + b"\x00"
                 + struct.pack(">i", 1) + b"\x00\x00" + struct.pack(">ii", 0, 1) + struct.pack(">ii", 1, 1) + struct.pack(">ii", 1, 1))
    write("fuzz_response", "metadata_v1", struct.pack(">hh", 3, 1) + meta_resp)
    fetch_resp = (struct.pack(">i", 0) + struct.pack(">i", 1) + s16("t") + struct.pack(">i", 1)
                  + struct.pack(">ihqq", 0, 0, 2, 2) + struct.pack(">i", -1) + struct.pack(">i", len(b1)) + b1)
    write("fuzz_response", "fetch_v4", struct.pack(">hh", 1, 4) + fetch_resp)
    write("fuzz_response", "api_versions_v0", struct.pack(">hh", 18, 0) + b"\x00\x00" + struct.pack(">i", 1) + struct.pack(">hhh", 18, 0, 3))


if __name__ == "__main__":
    main()
