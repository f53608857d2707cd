using System.CommandLine;
using ContrastiveLab.Runs;
using ContrastiveLab.TrainedRuns;

namespace ContrastiveLab.Cli;

/// <summary><c>contrastive export</c>: a run's encoder weights as a PyTorch state dict (safetensors or torch.save pickle).</summary>
public static class ExportCommand
{
    private static readonly Option<string> Run = new("--run") { Description = "run folder (made by contrastive train)", Required = true };
    private static readonly Option<string> Format = new("--format") { Description = "safetensors | pt", Required = true };
    private static readonly Option<string?> Out = new("--out") { Description = "output file (default: <run>/export/<part>.<format>)" };
    private static readonly Option<string> Checkpoint = new("--checkpoint") { Description = "latest | best", DefaultValueFactory = _ => "latest" };
    private static readonly Option<string> Part = new("--part")
    {
        Description = "encoder (backbone.* and fc.*) | backbone (no prefix: torchvision-style names; loads strictly into a torchvision ResNet whose fc is Identity)",
        DefaultValueFactory = _ => "encoder",
    };

    static ExportCommand()
    {
        Checkpoint.AcceptOnlyFromAmong([.. TrainedRun.CheckpointChoices]);
    }

    public static Command Build()
    {
        var command = new Command("export", "Write a run's encoder weights (parameters and batch-norm buffers) as a PyTorch state dict.");
        foreach (var o in new Option[] { Run, Format, Out, Checkpoint, Part })
        {
            command.Options.Add(o);
        }
        command.SetAction(int (parse) =>
        {
            var output = parse.InvocationConfiguration.Output;
            string format = parse.GetValue(Format)!;
            string part = parse.GetValue(Part)!;
            string runDir = parse.GetValue(Run)!;
            if (!ModelExport.Formats.Contains(format))
            {
                throw new UserError($"--format '{format}' is not known; allowed: {string.Join(", ", ModelExport.Formats)}");
            }
            if (!ModelExport.Parts.Contains(part))
            {
                throw new UserError($"--part '{part}' is not known; allowed: {string.Join(", ", ModelExport.Parts)}");
            }
            TorchSession.Start(parse, parse.InvocationConfiguration.Error);
            string path = parse.GetValue(Out) ?? ModelExport.DefaultPath(runDir, format, part);
            var names = EvalCommand.WithRun(runDir, parse.GetValue(Checkpoint)!, TorchSharp.torch.CPU, run => ModelExport.Write(run.Model, format, part, path,
                new Dictionary<string, string>
                {
                    ["model"] = run.Config.Model,
                    ["head"] = run.Config.Head,
                    ["embedding_dim"] = run.Config.EmbeddingDim.ToString(System.Globalization.CultureInfo.InvariantCulture),
                }));
            output.WriteLine($"{names.Count} tensors ({part}, {format}) written to {path}");
            return 0;
        });
        return command;
    }
}
