"""PyTorch's side of test/interop: models with random weights and batch-norm statistics, saved as
torch.save zips or safetensors with their logits on random inputs; files read back with
torch.load(weights_only=True); hostile pickles. Run by /usr/bin/python3 (Debian's python3-torch).

    make ARCH OUT --classes N --shape H,W,C --batch B --seed S [--format pt|safetensors]
         [--prefix module.] [--nest state_dict] [--mean a,b,c --std a,b,c] [--sub-block1]
      writes OUT, OUT.inputs.bin (NHWC float32) and OUT.logits.bin (float32)
    shapes ARCH --classes N [--sub-block1]  prints the state_dict's {key: shape} as JSON (weights left uninitialised)
    same EXPORTED ORIGINAL ARCH --classes N --shape H,W,C
      loads EXPORTED strictly into gacd_models' ARCH and prints, as JSON, the largest difference
      from ORIGINAL's tensors and the keys that differ in name (num_batches_tracked aside)
    hostile OUT SIDE_EFFECT_FILE KIND  a torch.save zip whose pickle would run os.system / eval
"""
import json
import os
import struct
import sys
from collections import OrderedDict

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'python'))
import gacd_models  # noqa: E402

torch.set_num_threads(1)


def flags(argv):
    out, rest, i = {}, [], 0
    while i < len(argv):
        if argv[i].startswith('--'):
            if i + 1 < len(argv) and not argv[i + 1].startswith('--'):
                out[argv[i][2:]] = argv[i + 1]
                i += 2
            else:
                out[argv[i][2:]] = True
                i += 1
        else:
            rest.append(argv[i])
            i += 1
    return rest, out


def shape_of(f):
    h, w, c = (int(v) for v in f.get('shape', '32,32,3').split(','))
    return h, w, c


def model_of(arch, f):
    h, w, c = shape_of(f)
    model = gacd_models.build(arch, int(f.get('classes', 10)), c, h, w)
    if f.get('sub-block1'):
        d, k = (int(v) for v in arch.split('-')[1:])
        model = gacd_models.WideResNet(d, k, int(f.get('classes', 10)), c, sub_block1=True)
    return model


def randomise(model, seed):
    """Weights as initialised, batch norm's affine parameters and running statistics random, so each matters."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.copy_(torch.rand(m.weight.shape, generator=g) + 0.5)
                m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)
                m.running_mean.copy_(torch.randn(m.running_mean.shape, generator=g) * 0.1)
                m.running_var.copy_(torch.rand(m.running_var.shape, generator=g) + 0.5)
                m.num_batches_tracked.fill_(int(torch.randint(1, 1000, (1,), generator=g)))
            elif isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)) and m.bias is not None:
                m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)


def write_safetensors(path, sd):
    dtypes = {torch.float32: 'F32', torch.int64: 'I64'}
    header, blobs, offset = {}, [], 0
    for k, v in sd.items():
        data = v.contiguous().numpy().tobytes()
        header[k] = {'dtype': dtypes[v.dtype], 'shape': list(v.shape), 'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b' ' * ((8 - (8 + len(text)) % 8) % 8)
    with open(path, 'wb') as out:
        out.write(struct.pack('<Q', len(text)) + text + b''.join(blobs))


def read_safetensors(path):
    import numpy as np
    raw = open(path, 'rb').read()
    n = struct.unpack('<Q', raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    dtypes = {'F32': np.float32, 'I64': np.int64}
    sd = OrderedDict()
    for k, e in header.items():
        if k == '__metadata__':
            continue
        b, end = e['data_offsets']
        sd[k] = torch.from_numpy(np.frombuffer(data[b:end], dtype=dtypes[e['dtype']]).copy().reshape(e['shape']))
    return sd, header.get('__metadata__', {})


def make(arch, out, f):
    torch.manual_seed(int(f.get('seed', 0)))
    model = model_of(arch, f)
    randomise(model, int(f.get('seed', 0)))
    model.eval()
    h, w, c = shape_of(f)
    x = torch.rand(int(f.get('batch', 2)), c, h, w)
    inp = x
    if 'mean' in f:
        mean = torch.tensor([float(v) for v in f['mean'].split(',')]).view(1, -1, 1, 1)
        std = torch.tensor([float(v) for v in f['std'].split(',')]).view(1, -1, 1, 1)
        inp = (x - mean) / std
    with torch.no_grad():
        logits = model(inp)
    sd = OrderedDict((f.get('prefix', '') + k, v) for k, v in model.state_dict().items())
    if f.get('format', 'pt') == 'safetensors':
        write_safetensors(out, sd)
    else:
        torch.save({f['nest']: sd, 'epoch': 7} if 'nest' in f else sd, out)
    x.permute(0, 2, 3, 1).contiguous().numpy().tofile(out + '.inputs.bin')
    logits.numpy().astype('float32').tofile(out + '.logits.bin')


def shapes(arch, f):
    # Only names and shapes are wanted: skipping the weights' initialisation makes WRN-34-10 quick.
    for module in (torch.nn.Conv2d, torch.nn.Linear):
        module.reset_parameters = lambda self: None
    model = model_of(arch, f)
    print(json.dumps({k: list(v.shape) for k, v in model.state_dict().items()}))


def read_any(path):
    sd = read_safetensors(path)[0] if path.endswith('.safetensors') else torch.load(path, weights_only=True)
    return sd['state_dict'] if 'state_dict' in sd else sd


def same(exported, original, arch, f):
    a, b = read_any(exported), read_any(original)
    model_of(arch, f).load_state_dict(a, strict=True)
    tracked = lambda k: k.endswith('num_batches_tracked')
    ka = {k for k in a if not tracked(k)}
    kb = {k[len('module.'):] if k.startswith('module.') else k for k in b if not tracked(k)}
    b = {k[len('module.'):] if k.startswith('module.') else k: v for k, v in b.items()}
    diff = max((float((a[k].float() - b[k].float()).abs().max()) if a[k].shape == b[k].shape else float('inf')) for k in ka & kb)
    dtypes = sorted({str(a[k].dtype) for k in a})
    print(json.dumps({'maxDiff': diff, 'onlyExported': sorted(ka - kb), 'onlyOriginal': sorted(kb - ka), 'dtypes': dtypes, 'keys': len(a)}))


class Hostile:
    def __init__(self, side_effect, kind):
        self.side_effect, self.kind = side_effect, kind

    def __reduce__(self):
        if self.kind == 'eval':
            return (eval, (f"open({self.side_effect!r}, 'w').write('ran')",))
        return (os.system, (f'touch {self.side_effect}',))


def hostile(out, side_effect, kind):
    torch.save(OrderedDict([('conv1.weight', torch.zeros(2, 2)), ('payload', Hostile(side_effect, kind))]), out)


if __name__ == '__main__':
    args, f = flags(sys.argv[1:])
    {'make': lambda: make(args[1], args[2], f), 'shapes': lambda: shapes(args[1], f),
     'same': lambda: same(args[1], args[2], args[3], f), 'hostile': lambda: hostile(args[1], args[2], args[3])}[args[0]]()
