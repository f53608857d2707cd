using System.Globalization;
using System.Numerics;
using ContrastiveLab.IO;
using TorchSharp;

namespace ContrastiveLab.Cli;

/// <summary>
/// The validated inputs of <c>contrastive analyze</c>. Everything is checked here, before any math runs, so
/// each error names the file (or option) at fault.
/// </summary>
/// <param name="EmbeddingsPath">The EMB argument as given.</param>
/// <param name="Embeddings">(N, D) float32 or float64 rows, finite, none all-zero; N ≥ 2.</param>
/// <param name="Labels">(N,) integer class labels, or null.</param>
/// <param name="Positives">(N, D) rows like <paramref name="Embeddings"/>, or null.</param>
/// <param name="Taus">Temperatures, each finite and &gt; 0, in the order given.</param>
/// <param name="HardK">K for the hard loss, in [1, N − 1], or null for the analyzer's default.</param>
internal sealed record AnalyzeInputs(
    string EmbeddingsPath,
    NpyArray Embeddings,
    NpyArray? Labels,
    NpyArray? Positives,
    IReadOnlyList<double> Taus,
    int? HardK)
{
    /// <summary>The default --tau list: the paper's Table 1 temperatures plus 0.2 and 0.5.</summary>
    public const string DefaultTaus = "0.07,0.2,0.3,0.5,0.7,1.0";

    public long N => Embeddings.Shape[0];

    public long Dim => Embeddings.Shape[1];

    /// <summary>Loads and checks every input.</summary>
    /// <exception cref="UserError">Anything is missing, unreadable, of the wrong type or shape, or inconsistent.</exception>
    public static AnalyzeInputs Load(string embeddingsPath, string? labelsPath, string? positivesPath, string taus, int? hardK)
    {
        var parsedTaus = ParseTaus(taus);
        var embeddings = ReadRows(embeddingsPath, "embeddings");
        long n = embeddings.Shape[0], dim = embeddings.Shape[1];
        if (n < 2)
        {
            throw new UserError($"{embeddingsPath}: needs at least 2 rows to compare, got {n}");
        }

        NpyArray? labels = null;
        if (labelsPath is not null)
        {
            labels = ReadNpy(labelsPath);
            if (labels.IsFloatingPoint)
            {
                throw new UserError($"{labelsPath}: labels must be integers (int32 or int64), not {labels.Descr}");
            }
            if (labels.Rank != 1)
            {
                throw new UserError($"{labelsPath}: labels must be 1-D (N,), got shape {labels.ShapeText}");
            }
            if (labels.Shape[0] != n)
            {
                throw new UserError($"{labelsPath}: has {labels.Shape[0]} labels but {embeddingsPath} has {n} rows");
            }
        }

        NpyArray? positives = null;
        if (positivesPath is not null)
        {
            positives = ReadRows(positivesPath, "positives");
            if (positives.Shape[0] != n)
            {
                throw new UserError($"{positivesPath}: has {positives.Shape[0]} rows but {embeddingsPath} has {n}");
            }
            if (positives.Shape[1] != dim)
            {
                throw new UserError($"{positivesPath}: has dimension {positives.Shape[1]} but {embeddingsPath} has {dim}");
            }
        }

        if (hardK is { } k && (k < 1 || k > n - 1))
        {
            throw new UserError($"--hard-k {k} is out of range: {embeddingsPath} has {n} rows, so K must be in [1, {n - 1}]");
        }
        return new AnalyzeInputs(embeddingsPath, embeddings, labels, positives, parsedTaus, hardK);
    }

    /// <summary>Parses a comma-separated list of temperatures, each finite and &gt; 0.</summary>
    /// <exception cref="UserError">The list is empty or an entry is not a positive number.</exception>
    public static IReadOnlyList<double> ParseTaus(string text)
    {
        var taus = new List<double>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double tau) || !double.IsFinite(tau))
            {
                throw new UserError($"--tau: '{part}' is not a number (expected a comma-separated list such as {DefaultTaus})");
            }
            if (tau <= 0)
            {
                throw new UserError($"--tau: {part} is not a temperature; each must be > 0");
            }
            taus.Add(tau);
        }
        return taus;
    }

    /// <summary>(N, D) tensors for the analyzer; when the two files differ in precision both become float64.</summary>
    public (torch.Tensor Embeddings, torch.Tensor? Labels, torch.Tensor? Positives) ToTensors(torch.Device device)
    {
        var embeddings = Embeddings.ToTensor(device);
        var positives = Positives?.ToTensor(device);
        if (positives is not null && positives.dtype != embeddings.dtype)
        {
            embeddings = embeddings.to(torch.float64);
            positives = positives.to(torch.float64);
        }
        var labels = Labels is null ? null : torch.tensor(Labels.ToInt64Array(), device: device);
        return (embeddings, labels, positives);
    }

    private static NpyArray ReadNpy(string path)
    {
        if (Directory.Exists(path))
        {
            throw new UserError($"{path}: is a directory, not a .npy file");
        }
        if (!File.Exists(path))
        {
            throw new UserError($"{path}: file not found");
        }
        try
        {
            return NpyReader.Read(path);
        }
        catch (InvalidDataException e)
        {
            throw new UserError(e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserError($"{path}: cannot read ({e.Message})");
        }
    }

    /// <summary>Reads an (N, D) floating-point file whose rows are finite and not all zero.</summary>
    private static NpyArray ReadRows(string path, string what)
    {
        var array = ReadNpy(path);
        if (!array.IsFloatingPoint)
        {
            throw new UserError($"{path}: {what} must be float32 or float64, not {array.Descr}");
        }
        if (array.Rank != 2)
        {
            throw new UserError($"{path}: {what} must be 2-D (N, D), got shape {array.ShapeText}");
        }
        if (array.Shape[1] < 1)
        {
            throw new UserError($"{path}: {what} have dimension 0");
        }
        string? problem = array.DType == NpyDType.Float32
            ? FindBadRow(array.AsSpan<float>(), (int)array.Shape[1])
            : FindBadRow(array.AsSpan<double>(), (int)array.Shape[1]);
        return problem is null ? array : throw new UserError($"{path}: {problem}");
    }

    /// <summary>The first row (0-based) holding NaN or ±∞ (with its column) or only zeros, described; null when every row is usable.</summary>
    private static string? FindBadRow<T>(ReadOnlySpan<T> data, int dim) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int row = 0; row * (long)dim < data.Length; row++)
        {
            var values = data.Slice(row * dim, dim);
            bool allZero = true;
            for (int column = 0; column < values.Length; column++)
            {
                var v = values[column];
                if (T.IsNaN(v))
                {
                    return $"row {row}, column {column} contains NaN";
                }
                if (T.IsInfinity(v))
                {
                    return $"row {row}, column {column} contains an infinite value ({(T.IsNegative(v) ? "-" : "+")}inf)";
                }
                allZero &= T.IsZero(v);
            }
            if (allZero)
            {
                return $"row {row} is all zeros and cannot be normalised";
            }
        }
        return null;
    }
}
