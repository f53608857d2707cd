namespace ContrastiveLab.Data;

/// <summary>
/// The rule that builds the bundled <c>fashion-mnist-subset</c> from the full Fashion-MNIST: in each split,
/// keep the first <c>k</c> images of every class in file order (k = 1,000 for train, 200 for test), in their
/// original order. Run it with <c>contrastive data make-subset --from DIR --out DIR</c>; never at build time.
/// </summary>
public static class FashionMnistSubset
{
    /// <summary>Images kept per class in the training split.</summary>
    public const int TrainPerClass = 1000;

    /// <summary>Images kept per class in the test split.</summary>
    public const int TestPerClass = 200;

    /// <summary>Indices of the first <paramref name="perClass"/> images of each class, ascending (file order).</summary>
    /// <param name="labels">(N) class index of each image.</param>
    /// <param name="classCount">Number of classes; each must have at least <paramref name="perClass"/> images.</param>
    /// <param name="perClass">How many to keep per class.</param>
    public static int[] FirstPerClass(int[] labels, int classCount, int perClass)
    {
        var taken = new int[classCount];
        var keep = new List<int>(classCount * perClass);
        for (int i = 0; i < labels.Length; i++)
        {
            if (taken[labels[i]] < perClass)
            {
                taken[labels[i]]++;
                keep.Add(i);
            }
        }
        int shortClass = Array.FindIndex(taken, t => t < perClass);
        if (shortClass >= 0)
        {
            throw new ArgumentException($"class {shortClass} has only {taken[shortClass]} images, fewer than {perClass}", nameof(labels));
        }
        return [.. keep];
    }

    /// <summary>The images of <paramref name="split"/> at <paramref name="indices"/>, as a new split.</summary>
    public static ImageSplit Select(ImageSplit split, int[] indices)
    {
        var shape = split.UniformShape ?? throw new ArgumentException("the split's images differ in size", nameof(split));
        var pixels = new byte[(long)indices.Length * shape.Size];
        for (int i = 0; i < indices.Length; i++)
        {
            split.Image(indices[i]).CopyTo(pixels.AsSpan(i * shape.Size, shape.Size));
        }
        return new ImageSplit(split.Name, pixels, shape, [.. indices.Select(i => split.Labels[i])], split.ClassNames);
    }

    /// <summary>Applies the rule to full Fashion-MNIST (train and test splits).</summary>
    public static ImageDataset From(ImageDataset full)
    {
        var splits = full.Splits.Select(s =>
            Select(s, FirstPerClass(s.Labels, s.ClassNames.Count, s.Name == "train" ? TrainPerClass : TestPerClass))).ToList();
        return new ImageDataset(DatasetCatalog.DefaultDataset, splits);
    }

    /// <summary>Writes a subset as four gzipped IDX files with the official names into <paramref name="folder"/>.</summary>
    public static void Write(ImageDataset subset, string folder)
    {
        Directory.CreateDirectory(folder);
        foreach (var (split, prefix) in IdxDatasetReader.SplitPrefixes)
        {
            var s = subset[split];
            var shape = s.UniformShape!.Value;
            IdxReader.WriteImages(Path.Combine(folder, $"{prefix}-images-idx3-ubyte.gz"), s.Pixels, s.Count, shape.Height, shape.Width);
            IdxReader.WriteLabels(Path.Combine(folder, $"{prefix}-labels-idx1-ubyte.gz"), s.Labels);
        }
    }
}
