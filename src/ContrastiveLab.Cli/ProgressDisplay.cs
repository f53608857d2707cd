using ContrastiveLab.Training;
using Spectre.Console;

namespace ContrastiveLab.Cli;

/// <summary>
/// The terminal's progress display for training, shared by <c>train</c>, <c>sweep</c> and <c>reproduce</c>: a bar
/// per run (epoch, loss, speed, the last evaluated kNN) and, for sweeps, a bar over the runs. Used only on an
/// interactive terminal; piped or redirected output gets the trainer's own log, one line per epoch.
/// </summary>
internal static class ProgressDisplay
{
    /// <summary>Whether standard output is a terminal that can redraw a progress display.</summary>
    public static bool Interactive => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="body"/> under one progress display (description, bar, percentage, time left, spinner).</summary>
    public static T Show<T>(Func<ProgressContext, T> body)
    {
        T result = default!;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx => result = body(ctx));
        return result;
    }

    /// <summary>A trainer progress callback that moves <paramref name="bar"/> through one run's epochs and describes it.</summary>
    public static Action<TrainProgress> RunBar(ProgressTask bar)
    {
        var text = new ProgressText();
        return p =>
        {
            bar.MaxValue = Math.Max(1, p.Epochs);
            bar.Value = p.Epoch - 1 + (double)p.Step / Math.Max(1, p.StepsPerEpoch);
            bar.Description = Markup.Escape(text.Next(p));
        };
    }
}

/// <summary>
/// The progress display's text: epoch, loss and speed, and the kNN of the last evaluated epoch once there is one.
/// No time left (the display's own column shows it, once), and never the untrained encoder's kNN as this epoch's.
/// </summary>
internal sealed class ProgressText
{
    private string _lastKnn = "";

    public string Next(TrainProgress p)
    {
        if (p.EpochFinished && p.KnnTop1 is { } k)
        {
            _lastKnn = string.Create(System.Globalization.CultureInfo.InvariantCulture, $" (kNN {k:P1} after epoch {p.Epoch})");
        }
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"epoch {p.Epoch}/{p.Epochs} loss {p.Loss:F4} {p.ImagesPerSecond:F0} img/s{_lastKnn}");
    }
}
