using ContrastiveLab.IO;

namespace ContrastiveLab.Tests.Cli;

/// <summary>
/// Deterministic synthetic embeddings (System.Random with a fixed seed, Box–Muller normals, float32).
/// <see cref="Clustered"/> with (2000, 32, 10, seed 2021) made the bundled examples/clustered files.
/// </summary>
internal static class SyntheticEmbeddings
{
    /// <summary>Rows, their labels and their positives.</summary>
    internal sealed record Set(NpyArray Embeddings, NpyArray Labels, NpyArray Positives);

    /// <summary>
    /// <paramref name="clusters"/> random unit centres; row i belongs to cluster i mod clusters and is its centre
    /// plus N(0, 0.12²) noise per component; its positive is the row plus N(0, 0.05²) noise per component.
    /// </summary>
    public static Set Clustered(int n, int dim, int clusters, int seed, double spread = 0.12, double positiveNoise = 0.05)
    {
        var random = new Random(seed);
        var centres = new double[clusters][];
        for (int c = 0; c < clusters; c++)
        {
            centres[c] = Normals(random, dim, 1);
            double norm = Math.Sqrt(centres[c].Sum(v => v * v));
            centres[c] = [.. centres[c].Select(v => v / norm)];
        }
        var rows = new float[n * dim];
        var positives = new float[n * dim];
        var labels = new long[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = i % clusters;
            double[] noise = Normals(random, dim, spread);
            double[] jitter = Normals(random, dim, positiveNoise);
            for (int j = 0; j < dim; j++)
            {
                double value = centres[labels[i]][j] + noise[j];
                rows[(i * dim) + j] = (float)value;
                positives[(i * dim) + j] = (float)(value + jitter[j]);
            }
        }
        return new Set(NpyArray.Create(rows, n, dim), NpyArray.Create(labels, n), NpyArray.Create(positives, n, dim));
    }

    /// <summary>Groups of rows that differ by about 1e-4: similarities within a group are 1 to float32 precision.</summary>
    public static Set NearDuplicates(int n, int dim, int seed) => Clustered(n, dim, clusters: n / 5, seed, spread: 1e-4, positiveNoise: 1e-4);

    private static double[] Normals(Random random, int count, double sigma)
    {
        var values = new double[count];
        for (int i = 0; i < count; i++)
        {
            double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
            values[i] = sigma * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }
        return values;
    }

    /// <summary>Writes the three files into <paramref name="directory"/> as embeddings.npy, labels.npy, positives.npy.</summary>
    public static void WriteTo(Set set, string directory)
    {
        NpyWriter.Write(Path.Combine(directory, "embeddings.npy"), set.Embeddings);
        NpyWriter.Write(Path.Combine(directory, "labels.npy"), set.Labels);
        NpyWriter.Write(Path.Combine(directory, "positives.npy"), set.Positives);
    }
}
