using System.Text.Json.Nodes;
using ContrastiveLab.Bench;
using ContrastiveLab.IO;

namespace ContrastiveLab.Tests.Bench;

/// <summary>
/// The check files carry the right values: naive double-precision loops transcribed from docs/paper.md Eq. 1, 10 and 11
/// recompute them from the written .npy files. Where Debian's PyTorch is installed, reference.py agrees too.
/// </summary>
public sealed class PyTorchCheckTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bench-check").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private double[,] Matrix(string name)
    {
        var a = NpyReader.Read(Path.Combine(_dir, name));
        var flat = a.ToDoubleArray();
        var m = new double[a.Shape[0], a.Shape[1]];
        Buffer.BlockCopy(flat, 0, m, 0, flat.Length * sizeof(double));
        return m;
    }

    private static double Dot(double[,] x, int i, double[,] y, int j)
    {
        double s = 0;
        for (int k = 0; k < x.GetLength(1); k++)
        {
            s += x[i, k] * y[j, k];
        }
        return s;
    }

    private static double[,] Normalised(double[,] x)
    {
        var y = (double[,])x.Clone();
        for (int i = 0; i < x.GetLength(0); i++)
        {
            double n = Math.Sqrt(Dot(x, i, x, i));
            for (int k = 0; k < x.GetLength(1); k++)
            {
                y[i, k] /= n;
            }
        }
        return y;
    }

    // Eq. 1: −log(exp(s_ii/τ) / (exp(s_ii/τ) + Σ_{j ∉ exclude} exp(s_ij/τ))), mean over anchors.
    private static double NaiveLoss(double[,] anchors, double[,] positives, double[,] negatives, Func<int, int, bool> excluded, double tau)
    {
        double total = 0;
        for (int i = 0; i < anchors.GetLength(0); i++)
        {
            double pos = Math.Exp(Dot(anchors, i, positives, i) / tau), sum = pos;
            for (int j = 0; j < negatives.GetLength(0); j++)
            {
                sum += excluded(i, j) ? 0 : Math.Exp(Dot(anchors, i, negatives, j) / tau);
            }
            total += -Math.Log(pos / sum);
        }
        return total / anchors.GetLength(0);
    }

    [Fact]
    public void Expected_values_match_naive_loops_over_the_written_inputs()
    {
        var expected = PyTorchCheck.Write(_dir);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(_dir, "expected.json")))!.AsObject();
        Assert.Equal(expected["loss_bank"], json["loss_bank"]!.GetValue<double>());
        var bank = Matrix("bank.npy");
        var anchors = Matrix("anchors.npy");
        var others = Matrix("others.npy");
        var index = NpyReader.Read(Path.Combine(_dir, "index.npy")).ToInt64Array();
        var positives = new double[index.Length, bank.GetLength(1)];
        for (int i = 0; i < index.Length; i++)
        {
            for (int k = 0; k < bank.GetLength(1); k++)
            {
                positives[i, k] = bank[index[i], k];
            }
        }
        double tau = PyTorchCheck.Tau;
        Assert.Equal(NaiveLoss(anchors, positives, bank, (i, j) => j == index[i], tau), expected["loss_bank"], 1e-5);
        Assert.Equal(NaiveLoss(anchors, others, others, (i, j) => i == j, tau), expected["loss_inbatch"], 1e-5);

        var z = Normalised(Matrix("embeddings.npy"));
        var labels = NpyReader.Read(Path.Combine(_dir, "labels.npy")).ToInt64Array();
        int n = z.GetLength(0);
        double kernel = 0, pairs = 0, toleranceSum = 0;
        int anchorsWithClass = 0;
        for (int i = 0; i < n; i++)
        {
            double same = 0;
            int count = 0;
            for (int j = 0; j < n; j++)
            {
                double s = Dot(z, i, z, j);
                if (j > i)
                {
                    kernel += Math.Exp(-2 * (2 - 2 * s)); // Eq. 10, t = 2: exp(−t‖z_i − z_j‖²)
                    pairs++;
                }
                if (j != i && labels[j] == labels[i])
                {
                    same += s;
                    count++;
                }
            }
            if (count > 0)
            {
                toleranceSum += same / count; // Eq. 11, the authors' conditional mean
                anchorsWithClass++;
            }
        }
        Assert.Equal(Math.Log(kernel / pairs), expected["uniformity"], 1e-5);
        Assert.Equal(toleranceSum / anchorsWithClass, expected["tolerance"], 1e-5);
        Assert.True(expected["tolerance"] > 0.2, "the check's embeddings are clustered, so tolerance is far from 0");
    }

    [SkippableFact]
    public void Reference_script_agrees_where_debian_pytorch_is_installed()
    {
        const string python = Prerequisites.Python;
        string script = Path.Combine(Cli.CliRunner.RepositoryRoot(), "benchmarks", "pytorch", "reference.py");
        Prerequisites.PyTorch(); // without it the naive-loop test above still checks the C# side
        PyTorchCheck.Write(_dir);
        var (code, stdout, stderr) = ProcessExec.Run(python, script, "--check", _dir, "--threads", "1");
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("agree to 1e-5", stdout, StringComparison.Ordinal);
    }
}
