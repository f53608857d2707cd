namespace ContrastiveLab.Reports;

/// <summary>The paper's numbers (docs/paper.md §3, Table 1, and section 4, the full τ sweep) as data.</summary>
public static class PaperReference
{
    /// <summary>The τ of Table 1's contrastive and hard columns.</summary>
    public static IReadOnlyList<double> Table1Taus { get; } = [0.07, 0.3, 0.7, 1.0];

    /// <summary>The τ grid of the full sweep (section 4).</summary>
    public static IReadOnlyList<double> SweepTaus { get; } = [0.05, 0.07, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];

    /// <summary>Table 1 by dataset (cifar10, cifar100, svhn, imagenet100), columns in the paper's order.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<PaperCell>> Table1 { get; } = new Dictionary<string, IReadOnlyList<PaperCell>>(StringComparer.Ordinal)
    {
        ["cifar10"] = Row([79.75, 83.27, 82.69, 82.21, 74.83, 79.2, 83.63, 84.19, 84.19, 84.84],
                          [3.86, 3.60, 3.17, 2.96, 1.68, 3.88, 3.89, 3.87, 3.86, 3.85],
                          [0.04, 0.178, 0.333, 0.372, 0.61, 0.034, 0.0267, 0.030, 0.030, 0.030]),
        ["cifar100"] = Row([51.82, 56.44, 50.99, 48.33, 39.31, 50.77, 56.55, 57.54, 56.77, 55.71],
                           [3.86, 3.60, 3.18, 2.96, 2.12, 3.87, 3.88, 3.87, 3.86, 3.86],
                           [0.10, 0.269, 0.331, 0.343, 0.39, 0.088, 0.124, 0.158, 0.172, 0.174]),
        ["svhn"] = Row([92.55, 95.47, 94.17, 92.07, 70.83, 91.82, 94.79, 95.02, 95.26, 94.99],
                       [3.88, 3.65, 3.27, 3.05, 1.50, 3.89, 3.91, 3.90, 3.88, 3.85],
                       [0.032, 0.137, 0.186, 0.197, 0.074, 0.025, 0.021, 0.021, 0.023, 0.026]),
        ["imagenet100"] = Row([71.53, 75.10, 69.03, 63.57, 48.09, 68.33, 74.21, 74.70, 74.28, 74.31],
                              [3.917, 3.693, 3.323, 3.08, 1.742, 3.929, 3.932, 3.927, 3.923, 3.917],
                              [0.093, 0.380, 0.427, 0.456, 0.528, 0.067, 0.096, 0.121, 0.134, 0.157]),
    };

    /// <summary>Section 4: linear top-1 (%) over <see cref="SweepTaus"/> by dataset and loss (contrastive, hard).</summary>
    public static IReadOnlyDictionary<(string Dataset, string Loss), IReadOnlyList<double>> SweepAccuracy { get; } = new Dictionary<(string, string), IReadOnlyList<double>>
    {
        [("cifar100", "contrastive")] = [49.80, 51.82, 52.46, 56.05, 56.44, 55.47, 54.17, 53.05, 50.99, 50.08, 50.21, 48.33],
        [("cifar10", "contrastive")] = [76.10, 79.75, 81.82, 83.78, 83.27, 83.22, 82.54, 82.97, 82.69, 82.67, 81.97, 82.21],
        [("svhn", "contrastive")] = [88.96, 92.55, 94.21, 95.46, 95.47, 95.36, 94.66, 94.47, 94.17, 93.22, 92.66, 92.07],
        [("cifar100", "hard")] = [49.21, 50.77, 51.91, 55.61, 56.55, 55.66, 57.37, 57.17, 57.54, 57.15, 56.53, 56.77],
        [("cifar10", "hard")] = [76.22, 79.20, 80.40, 83.28, 83.63, 84.14, 84.31, 84.60, 84.19, 84.60, 84.45, 84.19],
        [("svhn", "hard")] = [89.07, 91.82, 93.37, 94.58, 94.79, 94.62, 94.93, 95.06, 95.02, 95.03, 95.08, 95.26],
    };

    /// <summary>Section 4: CIFAR10 contrastive −L_uniformity over <see cref="SweepTaus"/>.</summary>
    public static IReadOnlyList<double> Cifar10SweepUniformity { get; } = [3.852, 3.862, 3.850, 3.739, 3.595, 3.454, 3.338, 3.260, 3.172, 3.085, 2.946, 2.964];

    /// <summary>Section 4: CIFAR10 contrastive tolerance over <see cref="SweepTaus"/>.</summary>
    public static IReadOnlyList<double> Cifar10SweepTolerance { get; } = [0.051, 0.044, 0.050, 0.107, 0.178, 0.236, 0.269, 0.306, 0.333, 0.356, 0.398, 0.372];

    /// <summary>The paper's name for a dataset (cifar10, cifar100, svhn, imagenet100), or null when the paper has no numbers for it.</summary>
    public static string? PaperDataset(string dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        string key = new(dataset.ToLowerInvariant().Where(char.IsLetterOrDigit).ToArray());
        return key switch
        {
            "cifar10" => "cifar10",
            "cifar100" => "cifar100",
            "svhn" => "svhn",
            "imagenet100" => "imagenet100",
            _ => null,
        };
    }

    /// <summary>The Table 1 cell for a loss and τ, or null when the paper has none (τ is ignored for simple and hard-simple).</summary>
    public static PaperCell? Cell(string paperDataset, string loss, double tau) =>
        Table1.TryGetValue(paperDataset, out var cells)
            ? cells.FirstOrDefault(c => c.Loss == loss && (c.Tau is null || Math.Abs(c.Tau.Value - tau) < 1e-9))
            : null;

    private static IReadOnlyList<PaperCell> Row(double[] acc, double[] unif, double[] tol)
    {
        (string Loss, double? Tau)[] columns =
        [
            ("contrastive", 0.07), ("contrastive", 0.3), ("contrastive", 0.7), ("contrastive", 1.0), ("simple", null),
            ("hard", 0.07), ("hard", 0.3), ("hard", 0.7), ("hard", 1.0), ("hard-simple", null),
        ];
        return columns.Select((c, i) => new PaperCell(c.Loss, c.Tau, acc[i], unif[i], tol[i])).ToArray();
    }
}
