using ContrastiveLab.Data;
using Spectre.Console;

namespace ContrastiveLab.Cli;

/// <summary>Downloads dataset files with a progress bar on a terminal, or a line per file otherwise.</summary>
public static class ConsoleDownload
{
    public static void Run(IReadOnlyList<DownloadItem> items, string folder)
    {
        Console.Error.WriteLine($"downloading {items.Count} file(s) into {folder}");
        if (Console.IsErrorRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
        {
            DatasetDownloader.Download(items, folder, (file, done, total) =>
            {
                if (total is { } t && done == t)
                {
                    Console.Error.WriteLine($"  {file}: {done / 1e6:F1} MB");
                }
            });
            return;
        }
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                DatasetDownloader.Download(items, folder, (file, done, total) =>
                {
                    if (!tasks.TryGetValue(file, out var task))
                    {
                        task = tasks[file] = ctx.AddTask(Markup.Escape(file), maxValue: total ?? 1);
                    }
                    task.MaxValue = total ?? Math.Max(done, 1);
                    task.Value = done;
                });
            });
    }
}
