using System.CommandLine;

namespace ContrastiveLab.Cli;

/// <summary><c>contrastive analyze</c>: the paper's geometry metrics for embeddings from any framework.</summary>
public static class AnalyzeCommand
{
    public static Command Build()
    {
        var command = new Command("analyze", "Uniformity, tolerance, alignment and penalty entropy of embeddings in a .npy file.");
        command.SetAction(int (parse) => throw new UserError("analyze is not implemented yet"));
        return command;
    }
}
