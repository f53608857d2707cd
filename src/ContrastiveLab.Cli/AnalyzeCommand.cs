using System.CommandLine;
using ContrastiveLab.Core.Analysis;
using TorchSharp;

namespace ContrastiveLab.Cli;

/// <summary>
/// <c>contrastive analyze EMB.npy [--labels LAB.npy] [--positives POS.npy] [--tau LIST] [--hard-k K] [--json OUT.json]</c>:
/// the paper's geometry metrics (uniformity, tolerance, alignment, penalty entropy, losses per τ) for embeddings
/// from any framework.
/// </summary>
public static class AnalyzeCommand
{
    public static Command Build()
    {
        var embeddings = new Argument<string>("EMB") { Description = "(N, D) float32 or float64 embeddings, C order (.npy)" };
        var labels = new Option<string?>("--labels") { Description = "(N,) int32 or int64 class labels (.npy): enables tolerance" };
        var positives = new Option<string?>("--positives") { Description = "(N, D) positive for each row (.npy): enables alignment and the losses; then s_ij = z_i·p_j" };
        var taus = new Option<string>("--tau")
        {
            Description = "comma-separated temperatures, each > 0",
            DefaultValueFactory = _ => AnalyzeInputs.DefaultTaus,
        };
        var hardK = new Option<int?>("--hard-k") { Description = "K nearest negatives for the hard loss, in [1, N-1] (default min(4095, N-1))" };
        var json = new Option<string?>("--json") { Description = "also write the numbers to this JSON file" };

        var command = new Command("analyze", "Uniformity, tolerance, alignment and penalty entropy of embeddings in a .npy file.")
        {
            embeddings, labels, positives, taus, hardK, json,
        };
        command.SetAction(int (ParseResult parse) =>
        {
            var inputs = AnalyzeInputs.Load(
                parse.GetValue(embeddings)!,
                parse.GetValue(labels),
                parse.GetValue(positives),
                parse.GetValue(taus) ?? AnalyzeInputs.DefaultTaus,
                parse.GetValue(hardK));
            var output = parse.InvocationConfiguration.Output;
            var session = TorchSession.Start(parse, parse.InvocationConfiguration.Error);
            var analysis = Analyze(inputs, session.Device);
            AnalyzeReport.Print(analysis, inputs, output, interactive: ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected);
            if (parse.GetValue(json) is { } jsonPath)
            {
                AnalyzeReport.WriteJson(analysis, jsonPath);
            }
            return 0;
        });
        return command;
    }

    private static EmbeddingAnalysis Analyze(AnalyzeInputs inputs, torch.Device device)
    {
        using var scope = torch.NewDisposeScope();
        var (embeddings, labels, positives) = inputs.ToTensors(device);
        try
        {
            return EmbeddingAnalyzer.Analyze(embeddings, labels, positives, inputs.Taus, inputs.HardK);
        }
        catch (ArgumentException e)
        {
            throw new UserError($"{inputs.EmbeddingsPath}: {e.Message}");
        }
    }
}
