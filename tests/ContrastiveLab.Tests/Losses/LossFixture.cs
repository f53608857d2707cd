using ContrastiveLab.Core.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace ContrastiveLab.Tests.Losses;

/// <summary>Random unit vectors as managed arrays and tensors, plus the negative sources the tests use.</summary>
internal sealed class LossFixture
{
    public LossFixture(int seed, int batch, int bankRows, int dim)
    {
        var random = new Random(seed);
        Anchors = UnitRows(random, batch, dim);
        Positives = UnitRows(random, batch, dim);
        Bank = UnitRows(random, bankRows, dim);
        Exclude = Enumerable.Range(0, batch).Select(_ => (long)random.Next(bankRows)).ToArray();
        Dim = dim;
    }

    public double[][] Anchors { get; }

    public double[][] Positives { get; }

    public double[][] Bank { get; }

    public long[] Exclude { get; }

    public int Dim { get; }

    /// <summary>(rows, dim) tensor of <paramref name="rows"/>, float64 unless told.</summary>
    public static Tensor ToTensor(double[][] rows, ScalarType dtype = ScalarType.Float64, bool requiresGrad = false)
    {
        double[] flat = rows.SelectMany(r => r).ToArray();
        Tensor t = tensor(flat, [rows.Length, rows[0].Length], dtype: dtype);
        return requiresGrad ? t.requires_grad_() : t;
    }

    /// <summary>The negatives each anchor sees under <paramref name="source"/>, as the oracle wants them.</summary>
    public double[][] NegativeRows(int anchor, NegativeSource source) => source switch
    {
        NegativeSource.InBatch => Positives.Where((_, j) => j != anchor).ToArray(),
        NegativeSource.Bank => Bank,
        _ => Bank.Where((_, j) => j != Exclude[anchor]).ToArray(),
    };

    /// <summary>Mean over anchors of <paramref name="perAnchor"/>(s_ii, negatives' s_ij), all in plain double loops.</summary>
    public double OracleMean(NegativeSource source, Func<double, double[], double> perAnchor) =>
        Enumerable.Range(0, Anchors.Length).Average(i => perAnchor(
            NaiveOracle.Dot(Anchors[i], Positives[i]),
            NegativeRows(i, source).Select(row => NaiveOracle.Dot(Anchors[i], row)).ToArray()));

    /// <summary>The loss's value on this fixture in float64.</summary>
    public double Loss(IContrastiveLoss loss, NegativeSource source)
    {
        using var scope = NewDisposeScope();
        return loss.Forward(ToTensor(Anchors), ToTensor(Positives), Negatives(source)).item<double>();
    }

    /// <summary>The <see cref="Negatives"/> for <paramref name="source"/>; tensors belong to the caller's scope.</summary>
    public Negatives Negatives(NegativeSource source, ScalarType dtype = ScalarType.Float64) => source switch
    {
        NegativeSource.InBatch => Core.Losses.Negatives.InBatch,
        NegativeSource.Bank => Core.Losses.Negatives.Shared(ToTensor(Bank, dtype)),
        _ => Core.Losses.Negatives.Shared(ToTensor(Bank, dtype), tensor(Exclude)),
    };

    private static double[][] UnitRows(Random random, int rows, int dim)
    {
        var result = new double[rows][];
        for (int i = 0; i < rows; i++)
        {
            double[] v = Enumerable.Range(0, dim).Select(_ => Gaussian(random)).ToArray();
            double norm = Math.Sqrt(v.Sum(x => x * x));
            result[i] = v.Select(x => x / norm).ToArray();
        }

        return result;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
