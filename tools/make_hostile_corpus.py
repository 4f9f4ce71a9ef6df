#!/usr/bin/python3
"""Writes testdata/hostile/: files that attack resnet4j's readers, and manifest.json saying, for each,
how it is read (checkpoint, onnx, npy, image), the exception class it must produce and a word of the
reason the message must contain. Run from the repository root with Debian's python3 (torch, numpy,
onnx): /usr/bin/python3 tools/make_hostile_corpus.py

Pickles that would run a command in Python run `touch /tmp/resnet4j-hostile-marker`; the script
checks, for the torch.save ones, that torch.load(weights_only=False) really does run it (so the Java
test that the marker never appears proves something), then removes the marker. Fuzzing seeds are
copied into src/test/resources/org/resnet4j/fuzz/ReaderFuzzTestInputs/.
"""
import io, json, os, pickle, shutil, struct, subprocess, sys, zipfile, zlib

import numpy as np
import torch
import onnx
from onnx import helper, TensorProto, numpy_helper

OUT = 'testdata/hostile'
MARKER = '/tmp/resnet4j-hostile-marker'
CMD = 'touch ' + MARKER
manifest = []


def add(name, data, kind, exc, reason, what):
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(data)
    manifest.append({'file': name, 'kind': kind, 'exception': exc, 'reason': reason, 'attack': what})


# ---------------------------------------------------------------- pickle building blocks
class System:
    def __reduce__(self):
        return (os.system, (CMD,))

class Eval:
    def __reduce__(self):
        return (eval, ("__import__('os').system(%r)" % CMD,))

class Exec:
    def __reduce__(self):
        return (exec, ("import os; os.system(%r)" % CMD,))

class Popen:
    def __reduce__(self):
        return (subprocess.Popen, (['touch', MARKER],))

class Nested:
    """A harmless-looking OrderedDict whose only item reduces to os.system."""
    def __reduce__(self):
        import collections
        return (collections.OrderedDict, ([('weight', System())],))


def torch_bytes(obj, legacy=False):
    b = io.BytesIO()
    torch.save(obj, b, _use_new_zipfile_serialization=not legacy)
    return b.getvalue()


def runs_command(data):
    """True when torch.load(weights_only=False) of data runs CMD (proves the file is hostile)."""
    if os.path.exists(MARKER):
        os.remove(MARKER)
    path = '/tmp/resnet4j-hostile-probe.pth'
    with open(path, 'wb') as f:
        f.write(data)
    subprocess.run([sys.executable, '-c', 'import torch,sys; torch.load(sys.argv[1])', path],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
    ran = os.path.exists(MARKER)
    if ran:
        os.remove(MARKER)
    os.remove(path)
    return ran


def zip_torch(pkl, storages=None, archive='archive', extra=(), method=zipfile.ZIP_STORED, skip_pkl=False):
    """A torch.save-style zip: archive/data.pkl, archive/data/<key>, archive/version."""
    b = io.BytesIO()
    with zipfile.ZipFile(b, 'w', method) as z:
        if not skip_pkl:
            z.writestr(archive + '/data.pkl', pkl)
        for k, v in (storages or {}).items():
            z.writestr(archive + '/data/' + k, v)
        z.writestr(archive + '/version', b'3\n')
        for name, data in extra:
            z.writestr(name, data)
    return b.getvalue()


def P(*parts):
    return b''.join(p if isinstance(p, bytes) else p.encode('latin1') for p in parts)


def ustr(s):  # BINUNICODE
    e = s.encode()
    return b'X' + struct.pack('<I', len(e)) + e


def tensor_pickle(numel, offset, size, stride, key='0', dtype='FloatStorage', name='conv1.weight'):
    """{name: _rebuild_tensor_v2(storage(key, numel), offset, size, stride, False, OrderedDict())}, protocol 2."""
    def tup(vals):
        return b'(' + b''.join(b'J' + struct.pack('<i', v) for v in vals) + b't'
    return P(b'\x80\x02}', ustr(name),
             b'ctorch._utils\n_rebuild_tensor_v2\n(',
             b'(', ustr('storage'), b'ctorch\n' + dtype.encode() + b'\n', ustr(key), ustr('cpu'),
             b'J', struct.pack('<i', numel), b'tQ',
             b'J', struct.pack('<i', offset), tup(size), tup(stride), b'\x89',
             b'ccollections\nOrderedDict\n)R', b'tR', b's.')


def floats(n):
    return np.arange(n, dtype='<f4').tobytes()


VALID = zip_torch(tensor_pickle(4, 0, [2, 2], [2, 1]), {'0': floats(4)})

# ---------------------------------------------------------------- pickles that run code in Python
for name, obj, refused, what in [
        ('pickle_os_system.pth', {'weight': torch.zeros(2), 'x': System()}, 'posix.system',
         'torch.save of an object whose __reduce__ calls os.system'),
        ('pickle_builtins_eval.pth', {'x': Eval()}, 'builtins.eval', '__reduce__ to builtins.eval'),
        ('pickle_builtins_exec.pth', {'x': Exec()}, 'builtins.exec', '__reduce__ to builtins.exec'),
        ('pickle_subprocess_popen.pth', {'x': Popen()}, 'subprocess.Popen', '__reduce__ to subprocess.Popen'),
        ('pickle_nested_reduce.pth', {'state_dict': Nested()}, 'posix.system',
         'nested __reduce__: an OrderedDict whose item reduces to os.system')]:
    data = torch_bytes(obj)
    assert runs_command(data), name + ' does not run the command in Python'
    add(name, data, 'checkpoint', 'UnsafeContentException', refused, what)

data = torch_bytes({'weight': torch.zeros(2), 'x': System()}, legacy=True)
assert runs_command(data), 'legacy os.system does not run in Python'
add('legacy_os_system.pth', data, 'checkpoint', 'UnsafeContentException', 'posix.system',
    'legacy (pre-1.6) torch.save with os.system')

# hand-written pickles, each inside a torch zip (so the file is sniffed as a checkpoint)
CALL = P(b'(', ustr(CMD), b'tR')
raw = {
    'pickle_getattr_py2.pth': (P(b'\x80\x02c__builtin__\ngetattr\n(c__builtin__\n__import__\n(', ustr('os'),
                                  b'tR', ustr('system'), b'tR', CALL, b'.'),
                               'UnsafeContentException', '__builtin__.getattr',
                               'Python 2 __builtin__.getattr(__import__("os"), "system")'),
    'pickle_stack_global_smuggle.pth': (P(b'\x80\x04', ustr('o' + 's'), b'\x94', ustr('sys' + 'tem'), b'\x94',
                                          b'\x93', CALL, b'.'),
                                        'UnsafeContentException', 'os.system',
                                        'STACK_GLOBAL with module and name memoised strings (no GLOBAL opcode)'),
    'pickle_memo_global.pth': (P(b'\x80\x02}q\x00', ustr('a'), b'ccollections\nOrderedDict\nq\x01)R',
                                 b's', b'cposix\nsystem\nq\x01', b'0h\x01', CALL, b'.'),
                               'UnsafeContentException', 'posix.system',
                               'memo trick: BINPUT a refused global over an allowed one, BINGET it back'),
    'pickle_stack_global_memo.pth': (P(b'\x80\x04', ustr('subprocess'), b'q\x07', ustr('check_output'), b'q\x08',
                                       b'0' b'0', b'h\x07h\x08', b'\x93', b'(', b'(', ustr('id'), b'ltR.'),
                                     'UnsafeContentException', 'subprocess.check_output',
                                     'STACK_GLOBAL operands fetched from the memo by BINGET'),
    'pickle_inst.pth': (P(b'(', ustr(CMD), b'ios\nsystem\n.'), 'UnsafeContentException', 'INST/OBJ',
                        'INST opcode naming os.system'),
    'pickle_obj.pth': (P(b'(cposix\nsystem\n', ustr(CMD), b'o.'), 'UnsafeContentException', 'posix.system',
                       'OBJ opcode with GLOBAL posix.system'),
    'pickle_obj_opcode.pth': (P(b'(N', ustr(CMD), b'o.'), 'UnsafeContentException', 'INST/OBJ',
                              'OBJ opcode on a non-global'),
    'pickle_ext_registry.pth': (P(b'\x80\x02\x82\x01', CALL, b'.'), 'UnsafeContentException', 'extension-registry',
                                'EXT1 opcode (imports by copyreg code number)'),
    'pickle_torch_load.pth': (P(b'\x80\x02ctorch\nload\n(', ustr('/etc/passwd'), b'tR.'),
                              'UnsafeContentException', 'torch.load', 'torch.load of another file'),
    'pickle_build_on_list.pth': (P(b'\x80\x02]}b.'), 'FormatException', 'BUILD on a list',
                                 'BUILD (setstate) on a list'),
    'pickle_setitem_on_list.pth': (P(b'\x80\x02]', ustr('k'), ustr('v'), b's.'), 'FormatException',
                                   'SETITEM on a list', 'SETITEM on a list'),
    'pickle_unhashable_self_list.pth': (P(b'\x80\x02}]q\x00h\x00a\x85N', b's.'), 'FormatException', 'unhashable',
                                        'a list that contains itself, inside a tuple used as a dict key'),
    'pickle_tuple_depth.pth': (P(b'\x80\x02)' + b'\x85' * 300 + b'.'), 'UnsafeContentException',
                               'nested deeper', 'tuples nested 300 deep'),
    'pickle_long_bomb.pth': (P(b'\x80\x02\x8b', struct.pack('<I', 100000), b'\x01' * 100000, b'.'),
                             'UnsafeContentException', 'integer of 100000 bytes', 'a 100 kB integer (LONG4)'),
    'pickle_string_length_lie.pth': (P(b'\x80\x02X\xff\xff\xff\x7f', b'abc.'), 'FormatException', 'truncated pickle',
                                     'BINUNICODE claims 2 GiB'),
    'pickle_protocol_6.pth': (P(b'\x80\x06N.'), 'FormatException', 'unsupported pickle protocol', 'protocol 6'),
    'pickle_stack_underflow.pth': (P(b'\x80\x02\x85.'), 'FormatException', 'underflow', 'TUPLE1 on an empty stack'),
}
for name, (pkl, exc, reason, what) in raw.items():
    add(name, zip_torch(pkl), 'checkpoint', exc, reason, what)

# bombs: small deflated files whose pickles push, memoise or build past the limits (1 Mi each)
def deflated(pkl):
    return zip_torch(pkl, method=zipfile.ZIP_DEFLATED)
add('pickle_stack_bomb.pth', deflated(b'\x80\x02' + b'N' * 1100000 + b'.'), 'checkpoint', 'UnsafeContentException',
    'pickle stack exceeds', '1.1 M values pushed (deflated data.pkl)')
add('pickle_memo_bomb.pth', deflated(b'\x80\x04N' + b'\x94' * 1100000 + b'.'), 'checkpoint',
    'UnsafeContentException', 'pickle memo exceeds', '1.1 M memo entries (MEMOIZE)')
add('pickle_values_bomb.pth', deflated(b'\x80\x02N' + b']0' * 1100000 + b'.'), 'checkpoint',
    'UnsafeContentException', 'builds more than', '1.1 M lists built and popped')

# tensors that lie about their storage
add('tensor_storage_too_small.pth', zip_torch(tensor_pickle(1000, 0, [10, 100], [100, 1]), {'0': floats(4)}),
    'checkpoint', 'FormatException', 'storage holds', 'numel 1000 in the persistent id, 16 bytes in the entry')
add('tensor_view_outside_storage.pth', zip_torch(tensor_pickle(4, 2, [2, 2], [2, 1]), {'0': floats(4)}),
    'checkpoint', 'UnsafeContentException', 'reaches element', 'view (offset 2, size 2x2) past a 4-element storage')
add('tensor_stride_outside_storage.pth', zip_torch(tensor_pickle(4, 0, [2, 2], [1000, 1]), {'0': floats(4)}),
    'checkpoint', 'UnsafeContentException', 'reaches element', 'stride 1000 in a 4-element storage')
add('tensor_overlapping_views_bomb.pth',
    zip_torch(tensor_pickle(1, 0, [1 << 14, 1 << 14], [0, 0]), {'0': floats(1)}),
    'checkpoint', 'UnsafeContentException', 'over the budget', 'a 1-element storage viewed as 16384x16384 (stride 0)')
add('tensor_negative_size.pth', zip_torch(tensor_pickle(4, 0, [-2, 2], [2, 1]), {'0': floats(4)}),
    'checkpoint', 'FormatException', 'negative', 'negative size')
add('tensor_missing_storage.pth', zip_torch(tensor_pickle(4, 0, [2, 2], [2, 1], key='7'), {'0': floats(4)}),
    'checkpoint', 'FormatException', 'missing from the zip', 'storage entry data/7 absent')

# legacy: storage count in the file disagrees with the pickle
leg = bytearray(torch_bytes({'w': torch.arange(4.0)}, legacy=True))
cnt = struct.pack('<q', 4)
at = leg.rindex(cnt)
leg[at:at + 8] = struct.pack('<q', 1 << 40)
add('legacy_storage_count_lie.pth', bytes(leg), 'checkpoint', 'FormatException', 'elements in the file',
    'legacy storage element count says 2^40')

# ---------------------------------------------------------------- zip container
def zip_entries(entries, comment=b''):
    """A zip from (name, data) pairs, stored, written by hand so names and duplicates are exactly as given."""
    out = io.BytesIO()
    central = []
    for name, data in entries:
        n = name.encode()
        crc = zlib.crc32(data)
        off = out.tell()
        out.write(struct.pack('<IHHHHHIIIHH', 0x04034b50, 20, 0, 0, 0, 0, crc, len(data), len(data), len(n), 0))
        out.write(n + data)
        central.append(struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 20, 20, 0, 0, 0, 0, crc, len(data), len(data),
                                   len(n), 0, 0, 0, 0, 0, off) + n)
    cd = out.tell()
    for c in central:
        out.write(c)
    out.write(struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, len(central), len(central), out.tell() - cd, cd,
                          len(comment)) + comment)
    return out.getvalue()

PKL = tensor_pickle(4, 0, [2, 2], [2, 1])
add('zip_path_traversal.pth', zip_entries([('archive/data.pkl', PKL), ('archive/data/0', floats(4)),
                                           ('archive/../../../tmp/evil', b'x')]),
    'checkpoint', 'UnsafeContentException', 'escapes the archive folder', 'entry name with ../')
add('zip_absolute_path.pth', zip_entries([('archive/data.pkl', PKL), ('/etc/cron.d/evil', b'x')]),
    'checkpoint', 'UnsafeContentException', 'escapes the archive folder', 'absolute entry name')
add('zip_duplicate_entry.pth', zip_entries([('archive/data.pkl', PKL), ('archive/data/0', floats(4)),
                                            ('archive/data.pkl', P(b'\x80\x02cposix\nsystem\n.'))]),
    'checkpoint', 'UnsafeContentException', 'appears twice', 'two entries named archive/data.pkl')
add('zip_outside_folder.pth', zip_entries([('archive/data.pkl', PKL), ('archive/data/0', floats(4)),
                                           ('other/data.bin', b'x')]),
    'checkpoint', 'UnsafeContentException', 'outside the archive folder', 'an entry outside archive/')
add('zip_missing_data_pkl.pth', zip_entries([('archive/data/0', floats(4)), ('archive/version', b'3\n')]),
    'checkpoint', 'FormatException', 'data.pkl', 'no data.pkl')
add('zip_two_data_pkl.pth', zip_entries([('a/data.pkl', PKL), ('b/data.pkl', PKL)]),
    'checkpoint', 'FormatException', 'data.pkl', 'two archives each with a data.pkl')
crc_bad = bytearray(VALID)
i = crc_bad.index(b'archive/data/0') + len('archive/data/0')
crc_bad[i] ^= 0xff  # first byte of the storage data
add('zip_crc_mismatch.pth', bytes(crc_bad), 'checkpoint', 'FormatException', 'CRC-32', 'storage bytes changed after the CRC')
add('zip_truncated.pth', VALID[:len(VALID) // 2], 'checkpoint', 'FormatException', 'end-of-central-directory',
    'zip cut in half')

# a real bomb: 70 MB of zeros as one deflated storage, under 1100:1 but over 20 x file size and 64 MiB
bomb = io.BytesIO()
with zipfile.ZipFile(bomb, 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    z.writestr('archive/data.pkl', tensor_pickle(70 * (1 << 20) // 4 // 4096 * 4096, 0, [4096, 70 * (1 << 20) // 4 // 4096], [70 * (1 << 20) // 4 // 4096, 1]))
    z.writestr('archive/data/0', bytes(70 * (1 << 20) // 4 // 4096 * 4096 * 4))
add('zip_bomb.pth', bomb.getvalue(), 'checkpoint', 'UnsafeContentException', 'decompression bomb',
    '70 MiB of zeros deflated into one storage')

# the central directory says a small deflated entry inflates to 3 GiB
d = zip_torch(PKL, {'0': floats(4)}, method=zipfile.ZIP_DEFLATED)
cdo = struct.unpack('<I', d[-6:-2])[0]
j = d.index(b'PK\x01\x02', cdo)
d = bytearray(d)
d[j + 24:j + 28] = struct.pack('<I', 0xC0000000)
add('zip_size_lie.pth', bytes(d), 'checkpoint', 'UnsafeContentException', 'decompression bomb',
    'central directory claims 3 GiB uncompressed for a few bytes')

# ZIP64 extra field that lies: sizes saturated, the extra field claims 2^40 bytes
def zip64_lie():
    name = b'archive/data.pkl'
    data = PKL
    crc = zlib.crc32(data)
    out = io.BytesIO()
    out.write(struct.pack('<IHHHHHIIIHH', 0x04034b50, 45, 0, 0, 0, 0, crc, len(data), len(data), len(name), 0))
    out.write(name + data)
    extra = struct.pack('<HHQQ', 1, 16, 1 << 40, 1 << 40)
    cd = out.tell()
    out.write(struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 45, 45, 0, 0, 0, 0, crc, 0xffffffff, 0xffffffff,
                          len(name), len(extra), 0, 0, 0, 0, 0) + name + extra)
    cdsize = out.tell() - cd
    out.write(struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, 1, 1, cdsize, cd, 0))
    return out.getvalue()
add('zip64_size_lie.pth', zip64_lie(), 'checkpoint', 'FormatException', 'needs bytes', 'ZIP64 extra field claims 1 TiB')

def zip64_locator_lie():
    z = zip_entries([('archive/data.pkl', PKL)])
    eocd = z.rindex(b'PK\x05\x06')
    loc = struct.pack('<IIQI', 0x07064b50, 0, 1 << 50, 1)
    return z[:eocd] + loc + z[eocd:]
add('zip64_locator_lie.pth', zip64_locator_lie(), 'checkpoint', 'FormatException', 'zip64',
    'ZIP64 locator points 1 PiB into a small file')

def zip_count_lie():
    z = bytearray(zip_entries([('archive/data.pkl', PKL)]))
    eocd = z.rindex(b'PK\x05\x06')
    z[eocd + 8:eocd + 12] = struct.pack('<HH', 0xfffe, 0xfffe)
    return bytes(z)
add('zip_entry_count_lie.pth', zip_count_lie(), 'checkpoint', 'FormatException', 'entries',
    'end record claims 65534 entries')

# ---------------------------------------------------------------- safetensors
def st(header, data=b'', raw_len=None):
    h = json.dumps(header).encode() if not isinstance(header, bytes) else header
    return struct.pack('<Q', len(h) if raw_len is None else raw_len) + h + data

add('st_overlap.safetensors', st({'a': {'dtype': 'F32', 'shape': [2], 'data_offsets': [0, 8]},
                                  'b': {'dtype': 'F32', 'shape': [2], 'data_offsets': [4, 12]}}, bytes(12)),
    'checkpoint', 'FormatException', 'overlaps', 'two tensors share bytes')
add('st_gap.safetensors', st({'a': {'dtype': 'F32', 'shape': [1], 'data_offsets': [0, 4]},
                              'b': {'dtype': 'F32', 'shape': [1], 'data_offsets': [8, 12]}}, bytes(12)),
    'checkpoint', 'FormatException', 'gap', 'hidden bytes between tensors')
add('st_trailing_bytes.safetensors', st({'a': {'dtype': 'F32', 'shape': [1], 'data_offsets': [0, 4]}}, bytes(64)),
    'checkpoint', 'FormatException', 'cover 4 bytes', 'data region longer than the tensors')
add('st_huge_header_length.safetensors', st(b'{}', raw_len=1 << 62), 'checkpoint', 'FormatException',
    'header length', 'header length 2^62')
add('st_shape_overflow.safetensors', st({'a': {'dtype': 'F32', 'shape': [1 << 32, 1 << 32, 1 << 32],
                                               'data_offsets': [0, 4]}}, bytes(4)),
    'checkpoint', 'FormatException', 'overflows', 'shape whose product overflows int64')
add('st_numel_mismatch.safetensors', st({'a': {'dtype': 'F32', 'shape': [1000, 1000], 'data_offsets': [0, 8]}},
                                        bytes(8)),
    'checkpoint', 'FormatException', 'needs 4000000 bytes', 'shape 1000x1000 over 8 bytes')
add('st_truncated.safetensors', st({'a': {'dtype': 'F32', 'shape': [256], 'data_offsets': [0, 1024]}}, bytes(10)),
    'checkpoint', 'FormatException', 'truncated', 'data cut short')
add('st_duplicate_key.safetensors', st(b'{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, '
                                       b'"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}', bytes(4)),
    'checkpoint', 'FormatException', 'Duplicate', 'the same tensor name twice')
add('st_negative_offset.safetensors', st({'a': {'dtype': 'F32', 'shape': [1], 'data_offsets': [-4, 0]}}, bytes(4)),
    'checkpoint', 'FormatException', 'non-negative', 'negative data offset')
add('st_deep_json.safetensors', st(b'{"a":' + b'[' * 5000 + b']' * 5000 + b'}'), 'checkpoint', 'FormatException',
    'JSON', 'JSON nested 5000 deep')
add('st_bad_utf8.safetensors', st(b'{"\xff\xfe": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}', bytes(4)),
    'checkpoint', 'FormatException', 'UTF-8', 'header with invalid UTF-8')

# ---------------------------------------------------------------- ONNX
def model(nodes, inputs, outputs, inits=(), opset=17):
    g = helper.make_graph(nodes, 'g', inputs, outputs, list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid('', opset)])
    m.ir_version = 8
    return m.SerializeToString()

X = helper.make_tensor_value_info('input', TensorProto.FLOAT, ['N', 3, 8, 8])
Y = helper.make_tensor_value_info('logits', TensorProto.FLOAT, None)
add('onnx_cycle.onnx', model([helper.make_node('Add', ['input', 'b'], ['a']),
                              helper.make_node('Relu', ['a'], ['b']),
                              helper.make_node('Identity', ['b'], ['logits'])], [X], [Y]),
    'onnx', 'FormatException', 'cycle', 'Add -> Relu -> Add')
add('onnx_undefined_input.onnx', model([helper.make_node('Add', ['input', 'nowhere'], ['logits'])], [X], [Y]),
    'onnx', 'FormatException', 'no graph input, initializer or node defines', 'a node reads a name nothing defines')
add('onnx_duplicate_output.onnx', model([helper.make_node('Relu', ['input'], ['logits']),
                                         helper.make_node('Sigmoid', ['input'], ['logits'])], [X], [Y]),
    'onnx', 'FormatException', 'produced twice', 'two nodes write the same value')
add('onnx_output_never_produced.onnx', model([helper.make_node('Relu', ['input'], ['r'])], [X], [Y]),
    'onnx', 'FormatException', 'never produced', 'graph output no node writes')
def init(name, dims, raw=b'', dtype=TensorProto.FLOAT, **kw):
    t = TensorProto()
    t.name = name
    t.data_type = dtype
    t.dims.extend(dims)
    t.raw_data = raw
    return t
RELU = [helper.make_node('Add', ['input', 'w'], ['logits'])]
add('onnx_huge_initializer.onnx', model(RELU, [X], [Y], [init('w', [1 << 20, 1 << 20, 1 << 20])]),
    'onnx', 'UnsafeContentException', 'over the limit', 'initializer dims 2^20 x 2^20 x 2^20, no data')
add('onnx_dims_overflow.onnx', model(RELU, [X], [Y], [init('w', [1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30])]),
    'onnx', 'FormatException', 'overflows', 'initializer dims whose product overflows')
add('onnx_negative_dim.onnx', model(RELU, [X], [Y], [init('w', [-1, 4], bytes(16))]),
    'onnx', 'FormatException', 'dimension -1', 'negative initializer dim')
add('onnx_raw_data_short.onnx', model(RELU, [X], [Y], [init('w', [1000, 1000], bytes(16))]),
    'onnx', 'FormatException', 'needs 4000000 raw_data bytes', 'raw_data shorter than dims say')
ext = init('w', [4], b'')
ext.ClearField('raw_data')
ext.data_location = TensorProto.EXTERNAL
e = ext.external_data.add()
e.key, e.value = 'location', '../../../../etc/passwd'
add('onnx_external_data.onnx', model(RELU, [X], [Y], [ext]), 'onnx', 'UnsafeContentException', 'external file',
    'initializer data in ../../../../etc/passwd')
add('onnx_input_huge_dim.onnx', model([helper.make_node('Relu', ['input'], ['logits'])],
                                      [helper.make_tensor_value_info('input', TensorProto.FLOAT, [1 << 40, 3])], [Y]),
    'onnx', 'FormatException', 'dimension 1099511627776', 'graph input dim 2^40')
const = helper.make_node('Constant', [], ['c'], value=init('v', [1000, 1000], bytes(4)))
add('onnx_constant_attr_lie.onnx', model([const, helper.make_node('Add', ['input', 'c'], ['logits'])], [X], [Y]),
    'onnx', 'FormatException', 'raw_data bytes', 'Constant attribute tensor 1000x1000 over 4 bytes')
then_g = helper.make_graph([helper.make_node('Relu', ['ghost'], ['t'])], 'then', [],
                           [helper.make_tensor_value_info('t', TensorProto.FLOAT, None)])
else_g = helper.make_graph([helper.make_node('Relu', ['input'], ['e'])], 'else', [],
                           [helper.make_tensor_value_info('e', TensorProto.FLOAT, None)])
cond = numpy_helper.from_array(np.array(True), 'cond')
add('onnx_subgraph_undefined.onnx', model([helper.make_node('If', ['cond'], ['logits'], then_branch=then_g,
                                                            else_branch=else_g)], [X], [Y], [cond]),
    'onnx', 'FormatException', "'ghost'", 'If branch reads an undefined name')
add('onnx_garbage.onnx', b'\x08\x08' + b'\xff' * 64, 'onnx', 'FormatException', 'not a valid ONNX model',
    'a varint, then garbage')
add('onnx_length_lie.onnx', b'\x08\x08\x3a\xff\xff\xff\xff\x07' + b'\x00' * 32, 'onnx', 'FormatException',
    'not a valid ONNX model', 'graph field claims 2 GiB')

# ---------------------------------------------------------------- round 2, ONNX (issue 10)
def round2_onnx_cases():
    """Tensors reached through side doors (function attribute defaults, attribute lists, sparse values
    and indices), a sparse tensor that densifies to 512 MiB from 137 bytes, malformed sparse shapes,
    and a name that would forge a second error line. Large cases (2 Mi empty initializers, 50,000 If
    nodes) are built at test time by OnnxSideDoorsTest rather than committed."""
    def varint(n):
        out = b''
        while True:
            b, n = n & 0x7f, n >> 7
            out += bytes([b | (0x80 if n else 0)])
            if not n:
                return out

    def field(num, payload):  # a length-delimited field, for what onnx 1.12's Python schema lacks
        return varint(num << 3 | 2) + varint(len(payload)) + payload

    def external(name, dims=(4,), dtype=TensorProto.FLOAT):
        t = init(name, list(dims), dtype=dtype)
        t.ClearField('raw_data')
        t.data_location = TensorProto.EXTERNAL
        e = t.external_data.add()
        e.key, e.value = 'location', 'secret.bin'
        return t

    def sparse(name, dense_dims, values, indices):
        s = onnx.SparseTensorProto()
        s.values.CopyFrom(values)
        s.values.name = name
        s.indices.CopyFrom(indices)
        s.dims.extend(dense_dims)
        return s

    ok_values = init('s', [1], bytes(4))
    ok_indices = init('i', [1], bytes(8), dtype=TensorProto.INT64)

    def with_function(attribute_proto, body=None):
        """input -> local.F -> logits; F's Constant takes its value from F's attribute default 'w'."""
        value = helper.make_attribute('value', 0.0)
        value.ClearField('f')
        value.ref_attr_name = 'w'
        value.type = onnx.AttributeProto.TENSOR
        const = helper.make_node('Constant', [], ['c'])
        const.attribute.append(value)
        f = onnx.FunctionProto()
        f.name, f.domain = 'F', 'local'
        f.input.append('x')
        f.output.append('y')
        f.node.extend(body or [const, helper.make_node('Add', ['x', 'c'], ['y'])])
        f.opset_import.append(helper.make_opsetid('', 17))
        g = helper.make_graph([helper.make_node('F', ['input'], ['logits'], domain='local')], 'g', [X], [Y])
        m = helper.make_model(g, opset_imports=[helper.make_opsetid('', 17), helper.make_opsetid('local', 1)])
        m.ir_version = 8
        # FunctionProto.attribute_proto (11) is newer than onnx 1.12: appended as raw bytes
        fbytes = f.SerializeToString() + b''.join(field(11, a.SerializeToString()) for a in attribute_proto)
        return m.SerializeToString() + field(25, fbytes)

    w = onnx.AttributeProto()
    w.name, w.type = 'w', onnx.AttributeProto.TENSOR
    w.t.CopyFrom(external('w'))
    add('r2-onnx-function-default-external.onnx', with_function([w]), 'onnx', 'UnsafeContentException',
        'external file', 'function attribute default (attribute_proto) whose tensor is in secret.bin, '
        'taken by a Constant through ref_attr_name')
    ws = onnx.AttributeProto()
    ws.name, ws.type = 'w', onnx.AttributeProto.SPARSE_TENSOR
    ws.sparse_tensor.CopyFrom(sparse('w', [4], ok_values, external('i', (1,), TensorProto.INT64)))
    add('r2-onnx-function-default-sparse-external.onnx', with_function([ws]), 'onnx', 'UnsafeContentException',
        'external file', 'function attribute default holding a sparse tensor whose indices are in secret.bin')
    then_g = helper.make_graph([helper.make_node('Identity', ['k'], ['t'])], 'then', [],
                               [helper.make_tensor_value_info('t', TensorProto.FLOAT, None)], [external('k')])
    else_g = helper.make_graph([helper.make_node('Identity', ['x'], ['e'])], 'else', [],
                               [helper.make_tensor_value_info('e', TensorProto.FLOAT, None)])
    body = [helper.make_node('Constant', [], ['b'], value=numpy_helper.from_array(np.array(True), 'b')),
            helper.make_node('If', ['b'], ['y'], then_branch=then_g, else_branch=else_g)]
    add('r2-onnx-function-subgraph-external.onnx', with_function([], body), 'onnx', 'UnsafeContentException',
        'external file', 'If inside a function whose branch has an initializer in secret.bin (reads x from the function)')
    tensors = helper.make_node('Identity', ['input'], ['logits'])
    tl = onnx.AttributeProto()
    tl.name, tl.type = 'extra', onnx.AttributeProto.TENSORS
    tl.tensors.extend([init('ok', [1], bytes(4)), external('w')])
    tensors.attribute.append(tl)
    add('r2-onnx-attr-tensors-external.onnx', model([tensors], [X], [Y]), 'onnx', 'UnsafeContentException',
        'external file', 'second tensor of a TENSORS attribute in secret.bin')
    sl = onnx.AttributeProto()
    sl.name, sl.type = 'extra', onnx.AttributeProto.SPARSE_TENSORS
    sl.sparse_tensors.append(sparse('w', [4], external('w', (1,)), ok_indices))
    st_node = helper.make_node('Identity', ['input'], ['logits'])
    st_node.attribute.append(sl)
    add('r2-onnx-attr-sparse-tensors-external.onnx', model([st_node], [X], [Y]), 'onnx', 'UnsafeContentException',
        'external file', 'sparse values of a SPARSE_TENSORS attribute in secret.bin')

    def sparse_model(s):
        g = helper.make_graph([helper.make_node('Add', ['input', s.values.name], ['logits'])], 'g', [X], [Y])
        g.sparse_initializer.append(s)
        m = helper.make_model(g, opset_imports=[helper.make_opsetid('', 17)])
        m.ir_version = 8
        return m.SerializeToString()
    add('r2-onnx-sparse-values-external.onnx', sparse_model(sparse('w', [4], external('w', (1,)), ok_indices)), 'onnx',
        'UnsafeContentException', 'external file', 'sparse initializer values in secret.bin')
    add('r2-onnx-sparse-indices-external.onnx',
        sparse_model(sparse('w', [4], ok_values, external('i', (1,), TensorProto.INT64))), 'onnx',
        'UnsafeContentException', 'external file', 'sparse initializer indices in secret.bin')
    add('r2-onnx-sparse-dense-bomb.onnx', sparse_model(sparse('w', [1 << 27], ok_values, ok_indices)), 'onnx',
        'UnsafeContentException', 'densifies', 'sparse initializer of dense dims [2^27] (512 MiB once densified) '
        'in ~150 bytes')
    add('r2-onnx-sparse-bad-indices.onnx',
        sparse_model(sparse('w', [4], ok_values, init('i', [3], bytes(24), dtype=TensorProto.INT64))), 'onnx',
        'FormatException', 'NNZ', 'sparse initializer with 1 value and 3 indices')
    add('r2-onnx-forged-line.onnx',
        model([helper.make_node('Add', ['input', 'ghost\nerror: forged\x1b[2J\x1b[31m\r\x7f\u0085'], ['logits'])],
              [X], [Y]),
        'onnx', 'FormatException', 'no graph input, initializer or node defines',
        'an undefined name holding a newline, "error: forged", ANSI escapes, CR, DEL and C1 NEL')


round2_onnx_cases()

# ---------------------------------------------------------------- .npy
def npy(header, data=b'', version=1):
    h = header.encode('latin1')
    pad = (64 - (10 + len(h) + 1) % 64) % 64
    h = h + b' ' * pad + b'\n'
    return b'\x93NUMPY' + bytes([version, 0]) + struct.pack('<H', len(h)) + h + data

add('npy_shape_lie.npy', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1000, 1000), }", bytes(16)),
    'npy', 'FormatException', 'header says shape', 'shape 1000x1000 over 16 bytes')
add('npy_fortran.npy', npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", bytes(16)),
    'npy', 'UnsupportedModelException', 'Fortran', 'Fortran order')
b = io.BytesIO()
np.save(b, np.array([System(), 1], dtype=object), allow_pickle=True)
add('npy_object_pickle.npy', b.getvalue(), 'npy', 'UnsupportedModelException', "'|O'",
    'object array whose pickle runs os.system under np.load(allow_pickle=True)')
add('npy_complex_dtype.npy', npy("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", bytes(16)),
    'npy', 'UnsupportedModelException', "'<c8'", 'complex64 data (no tensor type)')
add('npy_header_length_lie.npy', b'\x93NUMPY\x01\x00\xff\xff' + b'{' * 40, 'npy', 'FormatException',
    'exceeds the file', 'header length 65535 in a 50-byte file')
add('npy_duplicate_keys.npy', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'descr': '|O'}", bytes(4)),
    'npy', 'FormatException', 'given twice', 'descr twice (NumPy takes the last)')
add('npy_duplicate_key_double_quoted.npy',
    npy('{"descr": "<f4", \'fortran_order\': False, \'shape\': (1,), "descr": ">f4"}', bytes(4)),
    'npy', 'FormatException', 'given twice', 'descr twice, once in double quotes (NumPy takes the last)')
add('npy_extra_key_double_quoted.npy',
    npy('{\'descr\': \'<f4\', \'fortran_order\': False, \'shape\': (1,), "extra": 1}', bytes(4)),
    'npy', 'FormatException', 'keys', 'a fourth key in double quotes (NumPy refuses)')
add('npy_shape_not_a_tuple.npy', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4)}", bytes(16)),
    'npy', 'FormatException', 'expected a tuple', 'shape (4): an int in parentheses, not a tuple')
add('npy_huge_shape.npy', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2147483647, 2147483647), }"),
    'npy', 'FormatException', 'too large', 'shape 2^31 x 2^31')
add('npy_v3_header_over_limit.npy', b'\x93NUMPY\x03\x00' + struct.pack('<I', 1 << 20) + b' ' * (1 << 17),
    'npy', 'FormatException', 'exceeds the file', 'v3 header length 1 MiB in a 128 KiB file')
add('npy_bad_magic.npy', b'\x93NUMPX\x01\x00', 'npy', 'FormatException', 'not a .npy', 'wrong magic')

# ---------------------------------------------------------------- images
def png(w, h, bitdepth, colortype, raw, cut=None):
    def chunk(t, d):
        return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d))
    data = (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, bitdepth, colortype, 0, 0, 0))
            + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b''))
    return data if cut is None else data[:cut]

# real bomb: 20000 x 10000 1-bit gray (200 M pixels, over the 178,956,970 limit), ~25 kB
w, h = 20000, 10000
add('png_bomb.png', png(w, h, 1, 0, (b'\x00' + bytes((w + 7) // 8)) * h), 'image', 'UnsafeContentException',
    'exceeds the limit', '200 M pixels of 1-bit PNG in 25 kB')
add('png_header_bomb.png', png(100000, 100000, 8, 2, b''), 'image', 'UnsafeContentException', 'exceeds the limit',
    'IHDR claims 100000x100000')
small = png(16, 16, 8, 2, (b'\x00' + bytes(range(48))) * 16)
add('png_truncated.png', small[:len(small) - 30], 'image', 'FormatException', 'png', 'PNG cut inside IDAT')
gif = (b'GIF89a' + struct.pack('<HHBBB', 65535, 65535, 0, 0, 0) + b'\x2c' + struct.pack('<HHHHB', 0, 0, 65535, 65535, 0)
       + b'\x02\x02\x44\x01\x00\x3b')
add('gif_bomb.gif', gif, 'image', 'UnsafeContentException', 'exceeds the limit', 'GIF 65535x65535')
bmp_hdr = struct.pack('<2sIHHI', b'BM', 54 + 16, 0, 0, 54) + struct.pack('<IiiHHIIiiII', 40, 20000, 10000, 1, 24, 0, 0,
                                                                       2835, 2835, 0, 0)
add('bmp_bomb.bmp', bmp_hdr + bytes(16), 'image', 'FormatException', 'cannot decode BMP',
    'BMP header claims 20000x10000 over 16 bytes of pixels (the JDK reader refuses it before decoding)')
jpg = open('testdata/images/photo420.jpg', 'rb').read()
add('jpeg_truncated.jpg', jpg[:len(jpg) // 3], 'image', 'FormatException', 'truncated', 'JPEG cut at a third')
gif_ok = open('testdata/images/anim.gif', 'rb').read()
add('gif_truncated.gif', gif_ok[:1000], 'image', 'FormatException', 'GIF', 'GIF cut inside its first frame')
add('not_an_image.png', b'\x89PNX' + bytes(100), 'image', 'FormatException', 'not an image', 'no image magic')

# ---------------------------------------------------------------- round 2: checkpoints and images
# Cases for issue 10 (time linear in the file, memory bounded, no exit 3 from a checkpoint, images
# whose resized size explodes). Names start with r2-ckpt- / r2-img-; the files stay small (deflated).

def deflate_zip(data):
    """The same zip with every entry deflated: a torch.save file whose pickle is huge but compresses well."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
    return out.getvalue()


def tuple_dag(levels):
    """Pickle ops leaving t_levels on the stack, t_0 = (), t_k = (t_{k-1}, t_{k-1}), shared through the memo."""
    ops = b')q\x00' + b'0'
    for k in range(1, levels + 1):
        ops += b'h' + bytes([k - 1]) + b'h' + bytes([k - 1]) + b'\x86q' + bytes([k]) + b'0'
    return ops + b'h' + bytes([levels])


HF_STAGE = 'encoder.stages.' + '1' * 25 + '.layers.0.layer.0.convolution.weight'


def round2_checkpoint_cases():
    add('r2-ckpt-tuple-dag-key.pth', zip_torch(P(b'\x80\x02}', tuple_dag(100), b'K\x01s.')), 'checkpoint',
        'UnsupportedModelException', 'dict key of type tuple',
        'dict key t_100 with t_k = (t_{k-1}, t_{k-1}): hashing it naively takes 2^100 steps')
    add('r2-ckpt-tuple-dag-ordereddict.pth',
        zip_torch(P(b'\x80\x02ccollections\nOrderedDict\n]', tuple_dag(100), b'K\x01\x86a\x85R.')), 'checkpoint',
        'UnsupportedModelException', 'dict key of type tuple', 'the same tuple DAG as an OrderedDict key')
    add('r2-ckpt-mixed-key-types.pth',
        zip_torch(P(b'\x80\x02}(', b''.join(ustr('k%d' % i) + b'N' for i in range(64)), b'K\x07Nu.')), 'checkpoint',
        'UnsupportedModelException', 'keys of more than one type',
        'a dict of 64 str keys and an int key: colliding str and int keys cannot be ordered in a HashMap bucket, '
        'so n of them cost n^2')
    rep = 'module.' * 300000
    add('r2-ckpt-module-prefix-300k.pth',
        deflate_zip(torch_bytes({rep + 'embedder.embedder.convolution.weight': torch.zeros(1),
                                 rep + HF_STAGE: torch.zeros(1)})), 'checkpoint', 'FormatException',
        'index of 25 digits', 'keys behind 300,000 "module." (2.1 MB each, deflated): stripping them one copy '
        'at a time was quadratic; then a Hugging Face stage index of 25 digits')
    add('r2-ckpt-hf-25-digit-stage.pth',
        torch_bytes({'embedder.embedder.convolution.weight': torch.zeros(1), HF_STAGE: torch.zeros(1)}),
        'checkpoint', 'FormatException', 'index of 25 digits',
        'Hugging Face stage index of 25 digits (Long.parseLong threw outside the loader: exit 3)')
    add('r2-ckpt-hf-25-digit-stage.safetensors',
        st({'module.embedder.embedder.convolution.weight': {'dtype': 'F32', 'shape': [1], 'data_offsets': [0, 4]},
            'module.' + HF_STAGE: {'dtype': 'F32', 'shape': [1], 'data_offsets': [4, 8]}}, bytes(8)),
        'checkpoint', 'FormatException', 'index of 25 digits', 'the same in safetensors, behind module.')
    add('r2-ckpt-60mib-string.pth',
        deflate_zip(torch_bytes({'conv1.weight': torch.zeros(1), 'note': 'a' * (60 << 20)})), 'checkpoint',
        'UnsafeContentException', 'str and bytes values of more than',
        'a valid checkpoint whose pickle inflates to a 60 MiB str (240 MiB allocated to decode it)')
    add('r2-ckpt-many-strings.pth', deflate_zip(torch_bytes({'conv1.weight': torch.zeros(1),
                                                             'notes': ['%05d' % i + 'b' * (16 << 10) for i in range(1100)]})),
        'checkpoint', 'UnsafeContentException', 'str and bytes values of more than',
        '1100 distinct 16 KiB strings: 17 MiB in all, over the per-pickle budget')
    add('r2-ckpt-60mib-bytes.pth', deflated(P(b'\x80\x03}', ustr('x'), b'B', struct.pack('<I', 60 << 20),
                                              bytes(60 << 20), b's.')),
        'checkpoint', 'UnsafeContentException', 'str and bytes values of more than', 'a 60 MiB BINBYTES value')
    add('r2-ckpt-st-metadata-object.safetensors',
        st(b'{"__metadata__":{"format":"pt","x":[{},{},{}]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}',
           bytes(4)), 'checkpoint', 'FormatException', 'metadata is str to str',
        '__metadata__ values that are not str (3 Mi of them made a 335 MiB JSON tree)')
    add('r2-ckpt-st-deep-nesting.safetensors',
        st(b'{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":' + b'[' * 500 + b']' * 500 + b'}}', bytes(4)),
        'checkpoint', 'UnsafeContentException', 'nesting depth', 'an ignored field nested 500 deep')
    add('r2-ckpt-st-rank-bomb.safetensors',
        st(b'{"a":{"dtype":"F32","shape":[' + b','.join([b'1'] * 10000) + b'],"data_offsets":[0,4]}}', bytes(4)),
        'checkpoint', 'FormatException', 'more than 64 numbers', 'a shape of 10,000 dimensions')


def round2_image_cases():
    # torchvision's Resize(256) of a 1x3000 image is 256x768000: 196 M pixels from 99 bytes
    add('r2-img-1x3000.png', png(1, 3000, 1, 0, b'\x00\x00' * 3000), 'preprocess', 'UnsafeContentException',
        'would be resized to 256x768000', 'a 1x3000 PNG: Resize(256) makes 256x768000 (590 MB in torchvision)')
    w = 3000000
    add('r2-img-3000000x1.png', png(w, 1, 1, 0, b'\x00' + bytes((w + 7) // 8)), 'preprocess',
        'UnsafeContentException', 'would be resized to 768000000x256',
        'a 3,000,000x1 PNG: Resize(256) makes 768,000,000x256 (the int product w * h * 3 overflowed)')


def round3_engine_cases():
    """Round 3 (issue 24): small valid models the engines must refuse with one clear error, run on zeros of
    their one input x, float [1]. Kind 'java-engine' runs the Java engine, 'ort-engine' ONNX Runtime."""
    x = helper.make_tensor_value_info('x', TensorProto.FLOAT, [1])
    y = helper.make_tensor_value_info('y', TensorProto.FLOAT, [1])

    def i64(name, values):
        return numpy_helper.from_array(np.array(values, dtype=np.int64), name)

    def mean_plus_x(src):  # y = mean(src) + x: a one-element output from a large intermediate
        return [helper.make_node('ReduceMean', [src], ['m'], keepdims=0),
                helper.make_node('Add', ['m', 'x'], ['y'])]

    add('r3-onnx-constantofshape-at-run.onnx',
        model([helper.make_node('ConstantOfShape', ['n'], ['c'])] + mean_plus_x('c'), [x], [y],
              [i64('n', [1 << 28])], opset=13),
        'java-engine', 'EngineException', 'one value may have',
        'ConstantOfShape([2^28]) in 171 bytes: 1 GiB of floats materialised at run time')
    chain = [helper.make_node('ConstantOfShape', ['n'], ['c0'])]
    for k in range(1, 12):
        chain.append(helper.make_node('Concat', ['c%d' % (k - 1), 'c%d' % (k - 1)], ['c%d' % k], axis=0))
    add('r3-onnx-concat-doubling.onnx',
        model(chain + mean_plus_x('c11'), [x], [y], [i64('n', [1 << 17])], opset=13),
        'java-engine', 'EngineException', 'one value may have',
        'eleven doubling Concats of 2^17 zeros: 2^28 elements, twice that in all')
    w = numpy_helper.from_array(np.ones((2, 1, 3, 3), np.float32), 'w')
    ys = helper.make_tensor_value_info('y', TensorProto.FLOAT, None)
    d = 1 << 14
    add('r3-onnx-dilated-conv-border.onnx',
        model([helper.make_node('Reshape', ['x', 's'], ['x4']),
               helper.make_node('Conv', ['x4', 'w'], ['y'], dilations=[d, d], pads=[d, d, d, d])], [x], [ys],
              [w, i64('s', [1, 1, 1, 1])]),
        'java-engine', 'UnsupportedModelException', 'zero-bordered',
        'a 3x3 conv dilated 2^14 over a 1x1 input: a 32769^2 bordered copy (4.3 GB) for 9 output pixels')
    add('r3-onnx-dropout-int64-ratio.onnx',
        model([helper.make_node('Dropout', ['x', 'r'], ['y'])], [x], [y], [i64('r', 0)], opset=12),
        'java-engine', 'UnsupportedModelException', 'expected a float type',
        'Dropout whose ratio is an int64 (IllegalStateException before)')
    add('r3-onnx-pad-beyond-int32.onnx',
        model([helper.make_node('Pad', ['x', 'p'], ['y'])], [x], [ys], [i64('p', [0, (1 << 31) + 1])], opset=13),
        'java-engine', 'MismatchException', 'more than 2147483647 elements',
        'a pad of 2^31 + 1 (truncated to int before)')
    xi = helper.make_tensor_value_info('x', TensorProto.FLOAT, [1])
    add('r3-onnx-div-int64-min.onnx',
        model([helper.make_node('Cast', ['x'], ['xi'], to=TensorProto.INT64),
               helper.make_node('Sub', ['xi', 'big'], ['a']),
               helper.make_node('Div', ['a', 'xi'], ['q']),
               helper.make_node('Cast', ['q'], ['y'], to=TensorProto.FLOAT)], [xi], [y],
              [i64('big', [1 << 62])], opset=13),
        'ort-engine', 'UnsupportedModelException', 'divides integers',
        'an int64 Div by a run-time divisor (0 here; INT64_MIN / -1 alike): SIGFPE killed the JVM')


round2_checkpoint_cases()
round2_image_cases()
round3_engine_cases()

# ---------------------------------------------------------------- manifest and fuzz seeds
manifest.sort(key=lambda m: m['file'])
with open(os.path.join(OUT, 'manifest.json'), 'w') as f:
    json.dump({'generator': 'tools/make_hostile_corpus.py', 'torch': torch.__version__, 'numpy': np.__version__,
               'onnx': onnx.__version__, 'marker': MARKER, 'files': manifest}, f, indent=1)
    f.write('\n')

SEEDS = 'src/test/resources/org/resnet4j/fuzz/ReaderFuzzTestInputs'
target = {'checkpoint': None, 'onnx': 'onnx', 'npy': 'npy'}
for m in manifest:
    name = m['file']
    if m['kind'] == 'checkpoint':
        t = 'safetensors' if name.endswith('.safetensors') else 'zip'
        if name.startswith('legacy'):
            continue
    else:
        t = target.get(m['kind'])
    if t is None or os.path.getsize(os.path.join(OUT, name)) > 100000:
        continue
    os.makedirs(os.path.join(SEEDS, t), exist_ok=True)
    shutil.copy(os.path.join(OUT, name), os.path.join(SEEDS, t, 'hostile_' + name))
    if t == 'zip':  # the pickle alone, for the unpickler target
        try:
            with zipfile.ZipFile(os.path.join(OUT, name)) as z:
                pk = [n for n in z.namelist() if n.endswith('data.pkl')]
                if pk and z.getinfo(pk[0]).file_size < 100000:
                    with open(os.path.join(SEEDS, 'unpickler', 'hostile_' + name + '.pkl'), 'wb') as f:
                        f.write(z.read(pk[0]))
        except Exception:
            pass
total = sum(os.path.getsize(os.path.join(OUT, m['file'])) for m in manifest)
print(len(manifest), 'files,', total, 'bytes')
