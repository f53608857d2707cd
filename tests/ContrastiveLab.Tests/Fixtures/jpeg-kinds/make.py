"""Run with /usr/bin/python3 (Debian python3-pil). Writes the JPEG and PNG kinds the region-decoding tests read (run once with Pillow; the files are committed)."""
import random
from PIL import Image

random.seed(7)


def picture(width, height):
    image = Image.new("RGB", (width, height))
    pixels = image.load()
    for y in range(height):
        for x in range(width):
            pixels[x, y] = (
                (x * 255 // width + random.randint(-20, 20)) % 256,
                (y * 255 // height + random.randint(-20, 20)) % 256,
                ((x ^ y) * 7 + random.randint(-30, 30)) % 256,
            )
    return image


rgb = picture(123, 77)
tall = picture(61, 95)
rgb.save("rgb-420.jpg", quality=90, subsampling=2)
rgb.save("rgb-422.jpg", quality=90, subsampling=1)
rgb.save("rgb-444.jpg", quality=90, subsampling=0)
tall.save("tall-420-progressive.jpg", quality=85, subsampling=2, progressive=True)
rgb.convert("L").save("grey.jpg", quality=90)
rgb.convert("CMYK").save("cmyk.jpg", quality=90)
tall.save("tall.png")
rgb.convert("L").save("grey.png")
