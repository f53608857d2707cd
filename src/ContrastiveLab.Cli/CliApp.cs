using System.CommandLine;
using ContrastiveLab.Runtime;

namespace ContrastiveLab.Cli;

/// <summary>Builds the <c>contrastive</c> command tree and runs it, turning user mistakes into one-line errors.</summary>
public static class CliApp
{
    /// <summary>Exit code for a mistake in the user's input.</summary>
    public const int UsageExitCode = 2;

    /// <summary>Exit code of an internal error: an exception that is none of the known kinds, which is a bug of ours.</summary>
    public const int InternalErrorExitCode = 1;

    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("ContrastiveLab: train and understand contrastive image encoders (Wang & Liu, CVPR 2021).");
        root.Options.Add(GlobalOptions.Threads);
        root.Options.Add(GlobalOptions.Device);
        foreach (var command in Commands())
        {
            root.Subcommands.Add(command);
        }
        return root;
    }

    private static IEnumerable<Command> Commands()
    {
        yield return AnalyzeCommand.Build();
        yield return DataCommand.Build();
        yield return TrainCommand.Build();
        yield return SweepCommand.Build();
        yield return ReportCommand.Build();
        yield return ReproduceCommand.Build();
        yield return EvalCommand.Build();
        yield return ExportCommand.Build();
        yield return BenchCommand.Build();
    }

    /// <summary>Runs the CLI with the given arguments and writers; returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        stdout ??= Console.Out;
        stderr ??= Console.Error;
        var root = BuildRoot();
        var config = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
        try
        {
            if (args.Length == 0)
            {
                root.Parse(["--help"]).Invoke(config);
                return UsageExitCode;
            }
            var parse = root.Parse(args);
            if (parse.Errors.Count > 0)
            {
                // System.CommandLine reports parse errors with exit code 1; user mistakes here exit with 2.
                stderr.WriteLine($"error: {ParseError(parse)}");
                return UsageExitCode;
            }
            return parse.Invoke(config);
        }
        catch (Exception e) when (e is UserError or TorchLoadException or Runs.RunLockedException or Data.DatasetNotFoundException or Data.DataFormatException)
        {
            stderr.WriteLine($"error: {InWords(e.Message)}");
            return UsageExitCode;
        }
        catch (IOException e) when (IO.DiskFullException.IsDiskFull(e))
        {
            // Every run file is written atomically and a checkpoint is complete or absent, so nothing written before is lost.
            string what = e is IO.DiskFullException full ? $"no space left on device while writing {full.Path}" : $"no space left on device ({e.Message.Trim()})";
            stderr.WriteLine($"error: {what}. Files written before it and the last complete checkpoint are intact: free some space, then run the same command again (train: with --resume) to continue.");
            return 3;
        }
        catch (System.Runtime.InteropServices.ExternalException e)
        {
            // A libtorch error is not the user's mistake, but its native stack helps no one: one line, and how to go on.
            stderr.WriteLine($"error: libtorch failed: {e.Message.Split('\n')[0].Trim()}. A run folder keeps its last checkpoint: run the same command with --resume (train) or again (sweep, reproduce) to continue.");
            return 3;
        }
        catch (Training.TrainingStoppedException e)
        {
            stderr.WriteLine(e.Interrupted ? e.Message : $"error: {e.Message}");
            return e.Interrupted ? 130 : 3;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Not the user's mistake: say so, and keep the trace for the bug report.
            stderr.WriteLine($"internal error (a bug in contrastive; the trace below helps fix it): {e.GetType().Name}: {e.Message.Split('\n')[0].Trim()}");
            stderr.WriteLine(e.StackTrace);
            return InternalErrorExitCode;
        }
    }

    /// <summary>The parse error to show: an unknown command or option named, with the nearest known one; else the first error in words.</summary>
    private static string ParseError(ParseResult parse)
    {
        foreach (var error in parse.Errors)
        {
            var unknown = System.Text.RegularExpressions.Regex.Match(error.Message, @"^Unrecognized command or argument '(?<word>.+)'\.?$");
            if (!unknown.Success)
            {
                continue;
            }
            string word = unknown.Groups["word"].Value;
            var command = parse.CommandResult.Command;
            bool option = word.StartsWith('-');
            var known = option
                ? command.Options.Concat(command.Parents.OfType<Command>().SelectMany(p => p.Options.Where(o => o.Recursive))).SelectMany(o => o.Aliases.Prepend(o.Name))
                : command.Subcommands.SelectMany(c => c.Aliases.Prepend(c.Name));
            string? guess = Core.Spelling.Suggest(word, known.Distinct());
            string path = string.Join(' ', Path(command).Prepend("contrastive"));
            bool root = command is RootCommand;
            string what = option ? "unknown option" : root || guess is not null ? "unknown command" : "unexpected argument";
            return $"{what} '{word}'{(root ? "" : $" for {path}")}{(guess is null ? "" : $" (did you mean '{guess}'?)")}; see {path} --help";
        }
        return InWords(parse.Errors[0].Message);

        // The command's names below the root, outermost first.
        static IEnumerable<string> Path(Command command) =>
            command is RootCommand ? [] : (command.Parents.OfType<Command>().FirstOrDefault() is { } parent ? Path(parent) : []).Append(command.Name);
    }

    /// <summary>
    /// A message for people: the parser's "as expected type 'System.Nullable`1[System.Int32]'" becomes what the value
    /// should be, and .NET's " (Parameter 'x')" suffix goes.
    /// </summary>
    internal static string InWords(string message)
    {
        var cannot = System.Text.RegularExpressions.Regex.Match(message, @"^Cannot parse argument '(?<value>.*)' for option '(?<option>[^']+)' as expected type '(?<type>[^']+)'\.?$");
        if (cannot.Success)
        {
            string type = cannot.Groups["type"].Value;
            string expected = type.Contains("Int", StringComparison.Ordinal) ? "a whole number"
                : type.Contains("Double", StringComparison.Ordinal) || type.Contains("Single", StringComparison.Ordinal) ? "a number"
                : type.Contains("Boolean", StringComparison.Ordinal) ? "true or false"
                : "a value of another kind";
            return $"{cannot.Groups["option"].Value} {cannot.Groups["value"].Value}: expected {expected}";
        }
        return System.Text.RegularExpressions.Regex.Replace(message, @"\s*\(Parameter '[^']*'\)\s*$", "");
    }
}
