namespace ContrastiveLab.Training;

/// <summary>Learning-rate schedules as pure functions of the position in training.</summary>
public static class LearningRateSchedule
{
    /// <summary>
    /// The paper's step decay: ×<paramref name="gamma"/> at each milestone, milestones given as fractions of the
    /// run (0.8 and 0.95 are epochs 160 and 190 of 200), so the schedule scales with the epoch count.
    /// </summary>
    /// <param name="baseLr">Learning rate before the first milestone.</param>
    /// <param name="epoch">Zero-based epoch.</param>
    /// <param name="totalEpochs">Epochs in the run.</param>
    /// <param name="milestones">Fractions of <paramref name="totalEpochs"/> in (0, 1].</param>
    /// <param name="gamma">Factor at each milestone.</param>
    public static double StepDecay(double baseLr, int epoch, int totalEpochs, IReadOnlyList<double> milestones, double gamma = 0.1)
    {
        double lr = baseLr;
        foreach (double m in milestones)
        {
            if (epoch >= (int)Math.Round(m * totalEpochs))
            {
                lr *= gamma;
            }
        }
        return lr;
    }

    /// <summary>Sets every parameter group of <paramref name="optimizer"/> to the schedule's <paramref name="lr"/> for the coming step or epoch.</summary>
    public static void Apply(OptimizerHelper optimizer, double lr)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        foreach (var group in optimizer.ParamGroups)
        {
            group.LearningRate = lr;
        }
    }

    /// <summary>The paper's milestones: epochs 160 and 190 of 200.</summary>
    public static IReadOnlyList<double> PaperMilestones { get; } = [160.0 / 200, 190.0 / 200];

    /// <summary>
    /// Linear warm-up from 0 over <paramref name="warmupSteps"/>, then half-cosine decay to
    /// <paramref name="finalFraction"/>·base at <paramref name="totalSteps"/>.
    /// </summary>
    public static double CosineWithWarmup(double baseLr, long step, long totalSteps, long warmupSteps = 0, double finalFraction = 0)
    {
        if (totalSteps <= 0)
        {
            return baseLr;
        }
        if (step < warmupSteps)
        {
            return baseLr * (step + 1) / warmupSteps;
        }
        double progress = Math.Clamp((double)(step - warmupSteps) / Math.Max(1, totalSteps - warmupSteps), 0, 1);
        double cosine = 0.5 * (1 + Math.Cos(Math.PI * progress));
        return baseLr * (finalFraction + (1 - finalFraction) * cosine);
    }
}
