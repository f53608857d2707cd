namespace ContrastiveLab.Bench;

/// <summary>A named benchmark workload of <c>contrastive bench</c>.</summary>
public interface IBenchWorkload
{
    /// <summary>The name the CLI, the JSON and the PyTorch reference use.</summary>
    string Name { get; }

    /// <summary>One line: what is measured and in which unit.</summary>
    string Description { get; }

    /// <summary>Runs the workload (warm-up, then timed repeats) and returns its figures, one result per variant.</summary>
    IReadOnlyList<BenchResult> Run(BenchSettings settings);
}
