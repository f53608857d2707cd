"""The Python side of `contrastive bench --only decode-imagenet`: JPEG decode with Pillow, then torchvision's
RandomResizedCrop(224), horizontal flip and colour jitter (p 0.8), ToTensor and Normalize, on one thread, over the
files the benchmark generated. Prints one JSON object: images per second (median over the repeats) and versions."""
import json, os, statistics, sys, time

folder, repeats = sys.argv[1], int(sys.argv[2])
import torch
torch.set_num_threads(1)
from PIL import Image
import PIL
from torchvision import transforms as T
import torchvision

files = sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".jpg"))
pipeline = T.Compose([
    T.RandomResizedCrop(224),
    T.RandomHorizontalFlip(),
    T.RandomApply([T.ColorJitter(0.4, 0.4, 0.4, 0.1)], p=0.8),
    T.ToTensor(),
    T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
])

def one_pass():
    for f in files:
        with open(f, "rb") as fh:
            image = Image.open(fh).convert("RGB")
        pipeline(image)

one_pass()  # warm-up: file cache and first-use costs, as on our side
times = []
for _ in range(repeats):
    start = time.perf_counter()
    one_pass()
    times.append(time.perf_counter() - start)
print(json.dumps({"images_per_s": len(files) / statistics.median(times), "pillow": PIL.__version__, "torchvision": torchvision.__version__}))
