using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using ContrastiveLab.RunFormat;
using ContrastiveLab.TrainedRuns;

namespace ContrastiveLab.Cli;

/// <summary><c>contrastive eval linear|knn</c>: evaluate a trained run's checkpoint; results go into the run folder.</summary>
public static class EvalCommand
{
    private static readonly Option<string> Run = new("--run") { Description = "run folder (made by contrastive train)", Required = true };
    private static readonly Option<string> Checkpoint = new("--checkpoint") { Description = "latest | best", DefaultValueFactory = _ => "latest" };
    private static readonly Option<int> Epochs = new("--epochs") { Description = "classifier epochs (the paper: 100)", DefaultValueFactory = _ => 100 };
    private static readonly Option<double> Lr = new("--lr") { Description = "classifier learning rate (the paper: 30; ×0.2 at 40%, 60%, 80% of the epochs)", DefaultValueFactory = _ => 30 };
    private static readonly Option<int> BatchSize = new("--batch-size") { Description = "classifier batch size (the paper: 256)", DefaultValueFactory = _ => 256 };
    private static readonly Option<bool?> Fast = new("--fast")
    {
        Description = "train on features of clean images extracted once and cached in features_cache/ (default on CPU; --fast false runs the paper's augmented protocol)",
    };
    private static readonly Option<int> K = new("--k") { Description = "neighbours K (the paper: 200)", DefaultValueFactory = _ => 200 };
    private static readonly Option<double> Sigma = new("--sigma") { Description = "vote temperature σ (the paper: 0.07)", DefaultValueFactory = _ => 0.07 };

    static EvalCommand()
    {
        Checkpoint.AcceptOnlyFromAmong([.. TrainedRun.CheckpointChoices]);
    }

    public static Command Build()
    {
        var eval = new Command("eval", "Evaluate a trained run: linear probe or weighted kNN.");
        eval.Subcommands.Add(Linear());
        eval.Subcommands.Add(Knn());
        return eval;
    }

    private static Command Linear()
    {
        var command = new Command("linear", "The paper's linear evaluation on the frozen backbone's pooled features; writes linear.json into the run folder.");
        foreach (var o in new Option[] { Run, Checkpoint, Epochs, Lr, BatchSize, Fast })
        {
            command.Options.Add(o);
        }
        command.SetAction(int (parse) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var session = TorchSession.Start(parse, parse.InvocationConfiguration.Error);
            var watch = Stopwatch.StartNew();
            var result = WithRun(parse, session, run =>
            {
                var options = new LinearEvalOptions
                {
                    Epochs = parse.GetValue(Epochs),
                    Lr = parse.GetValue(Lr),
                    BatchSize = parse.GetValue(BatchSize),
                    Fast = parse.GetValue(Fast) ?? session.Device.type == TorchSharp.DeviceType.CPU,
                }.Validate();
                output.WriteLine($"run {run.Directory}, checkpoint {run.Checkpoint.Name}");
                return LinearEvaluation.Run(run, options, output);
            });
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"linear top-1 ({result.Mode} mode): best {result.BestTop1:P2} at epoch {result.BestEpoch}, last {result.LastTop1:P2}; {watch.Elapsed.TotalSeconds:F1} s; written to {RunFiles.Linear}"));
            return 0;
        });
        return command;
    }

    private static Command Knn()
    {
        var command = new Command("knn", "Weighted kNN of clean test embeddings against clean training embeddings; writes knn.json into the run folder.");
        var features = new Option<string>("--features")
        {
            Description = "embedding (the head's normalised output, the paper's monitor) | backbone (pooled features before the head, normalised)",
            DefaultValueFactory = _ => KnnEvaluation.Name(KnnFeatures.Embedding),
        };
        features.AcceptOnlyFromAmong([.. Enum.GetValues<KnnFeatures>().Select(KnnEvaluation.Name)]);
        foreach (var o in new Option[] { Run, Checkpoint, K, Sigma, features })
        {
            command.Options.Add(o);
        }
        command.SetAction(int (parse) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var session = TorchSession.Start(parse, parse.InvocationConfiguration.Error);
            int k = parse.GetValue(K);
            double sigma = parse.GetValue(Sigma);
            string on = parse.GetValue(features)!;
            var kind = Enum.GetValues<KnnFeatures>().Single(f => KnnEvaluation.Name(f) == on);
            var (top1, name) = WithRun(parse, session, run => (KnnEvaluation.Run(run, k, sigma, features: kind), run.Checkpoint.Name));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"kNN top-1 on the {on} (K = {k}, σ = {sigma}, checkpoint {name}): {top1:P2}; written to {RunFiles.Knn}"));
            return 0;
        });
        return command;
    }

    private static T WithRun<T>(ParseResult parse, TorchSession session, Func<TrainedRun, T> body) =>
        WithRun(parse.GetValue(Run)!, parse.GetValue(Checkpoint)!, session.Device, body);

    /// <summary>Opens a run's checkpoint and applies <paramref name="body"/>; bad input becomes a <see cref="UserError"/>.</summary>
    internal static T WithRun<T>(string runDirectory, string checkpoint, TorchSharp.torch.Device device, Func<TrainedRun, T> body)
    {
        // Only opening the run reads what the user named; an ArgumentException from the evaluation itself is a bug.
        TrainedRun run;
        try
        {
            run = TrainedRun.Open(runDirectory, checkpoint, device);
        }
        catch (ArgumentException e)
        {
            throw new UserError(e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal));
        }
        catch (Data.DatasetNotFoundException e)
        {
            throw new UserError(e.Message);
        }
        using (run)
        {
            return body(run);
        }
    }
}
