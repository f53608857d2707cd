using TorchSharp;

namespace ContrastiveLab.Tests.Metrics;

/// <summary>Naive double-precision loops transcribed from the paper's definitions, and seeded test data.</summary>
internal static class Oracle
{
    internal static torch.Tensor Tensor(double[,] x, torch.ScalarType dtype = torch.ScalarType.Float64)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        var flat = new double[n * d];
        Buffer.BlockCopy(x, 0, flat, 0, flat.Length * sizeof(double));
        using var t = torch.tensor(flat, [n, d]);
        return t.to_type(dtype);
    }

    internal static torch.Tensor Labels(int[] y) => torch.tensor(y.Select(v => (long)v).ToArray());

    /// <summary>The values a float32 tensor actually holds, so that oracles see what the code sees.</summary>
    internal static double[,] RoundToFloat(double[,] x)
    {
        var y = (double[,])x.Clone();
        for (int i = 0; i < y.GetLength(0); i++)
        {
            for (int j = 0; j < y.GetLength(1); j++)
            {
                y[i, j] = (float)y[i, j];
            }
        }
        return y;
    }

    internal static double[,] Gaussian(int n, int d, int seed)
    {
        var random = new Random(seed);
        var x = new double[n, d];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                x[i, j] = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            }
        }
        return x;
    }

    /// <summary>Rows near one of <paramref name="classes"/> random centres; labels[i] = i % classes.</summary>
    internal static (double[,] X, int[] Labels) Clustered(int n, int d, int classes, double noise, int seed)
    {
        var centres = Gaussian(classes, d, seed);
        var x = Gaussian(n, d, seed + 1);
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = i % classes;
            for (int j = 0; j < d; j++)
            {
                x[i, j] = centres[labels[i], j] + noise * x[i, j];
            }
        }
        return (x, labels);
    }

    /// <summary>Gaussian rows in which every second row nearly repeats the one before it.</summary>
    internal static double[,] NearDuplicates(int n, int d, int seed)
    {
        var x = Gaussian(n, d, seed);
        var jitter = Gaussian(n, d, seed + 7);
        for (int i = 1; i < n; i += 2)
        {
            for (int j = 0; j < d; j++)
            {
                x[i, j] = x[i - 1, j] + 1e-6 * jitter[i, j];
            }
        }
        return x;
    }

    internal static double[][] Unit(double[,] x)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        var rows = new double[n][];
        for (int i = 0; i < n; i++)
        {
            double norm = 0;
            for (int j = 0; j < d; j++)
            {
                norm += x[i, j] * x[i, j];
            }
            norm = Math.Sqrt(norm);
            rows[i] = new double[d];
            for (int j = 0; j < d; j++)
            {
                rows[i][j] = x[i, j] / norm;
            }
        }
        return rows;
    }

    internal static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int k = 0; k < a.Length; k++)
        {
            s += a[k] * b[k];
        }
        return s;
    }

    internal static double SquaredDistance(double[] a, double[] b)
    {
        double s = 0;
        for (int k = 0; k < a.Length; k++)
        {
            s += (a[k] - b[k]) * (a[k] - b[k]);
        }
        return s;
    }

    /// <summary>Eq. 10 over pairs i &lt; j, t = 2.</summary>
    internal static double UniformitySetWise(double[][] z)
    {
        double sum = 0;
        long pairs = 0;
        for (int i = 0; i < z.Length; i++)
        {
            for (int j = i + 1; j < z.Length; j++)
            {
                sum += Math.Exp(-2 * SquaredDistance(z[i], z[j]));
                pairs++;
            }
        }
        return Math.Log(sum / pairs);
    }

    internal static double UniformityAgainstBank(double[][] a, double[][] bank, int[]? exclude)
    {
        double sum = 0;
        long pairs = 0;
        for (int i = 0; i < a.Length; i++)
        {
            for (int j = 0; j < bank.Length; j++)
            {
                if (exclude is null || exclude[i] != j)
                {
                    sum += Math.Exp(-2 * SquaredDistance(a[i], bank[j]));
                    pairs++;
                }
            }
        }
        return Math.Log(sum / pairs);
    }

    /// <summary>Eq. 11, conditional-mean form, anchors against a bank; exclude[i] is left out for anchor i.</summary>
    internal static double Tolerance(double[][] a, int[] ya, double[][] bank, int[] yb, int[]? exclude)
    {
        double total = 0;
        int anchors = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double sum = 0;
            int count = 0;
            for (int j = 0; j < bank.Length; j++)
            {
                if (yb[j] == ya[i] && (exclude is null || exclude[i] != j))
                {
                    sum += Dot(a[i], bank[j]);
                    count++;
                }
            }
            if (count > 0)
            {
                total += sum / count;
                anchors++;
            }
        }
        return total / anchors;
    }

    internal static int[] Identity(int n) => Enumerable.Range(0, n).ToArray();

    /// <summary>Similarities of anchor i to its negatives (bank rows other than exclude[i]).</summary>
    internal static double[] NegativeSimilarities(double[][] a, double[][] bank, int[]? exclude, int i)
        => Enumerable.Range(0, bank.Length).Where(j => exclude is null || exclude[i] != j).Select(j => Dot(a[i], bank[j])).ToArray();

    /// <summary>Eq. 5: r_i = softmax(s/τ) over the negatives.</summary>
    internal static double[] Penalty(double[] s, double tau)
    {
        double max = s.Max();
        double[] e = s.Select(v => Math.Exp((v - max) / tau)).ToArray();
        double z = e.Sum();
        return e.Select(v => v / z).ToArray();
    }

    internal static double Entropy(double[] r) => -r.Where(v => v > 0).Sum(v => v * Math.Log(v));

    /// <summary>−s_ii/τ + log(exp(s_ii/τ) + Σ exp(s_ij/τ)) over the given negatives.</summary>
    internal static double Loss(double positive, IEnumerable<double> negatives, double tau)
    {
        double sum = Math.Exp(positive / tau) + negatives.Sum(v => Math.Exp(v / tau));
        return -positive / tau + Math.Log(sum);
    }
}
