using System.Text.RegularExpressions;
using ContrastiveLab.Tests.Cli;

namespace ContrastiveLab.Tests;

/// <summary>The repository stands alone: nothing in it points at files a user does not have or at our issue tracker.</summary>
public sealed class RepositoryTests
{
    private static readonly string[] TextExtensions = [".md", ".cs", ".json", ".py", ".sh", ".txt", ".props", ".csproj", ".yml", ".html"];

    private static IEnumerable<string> TrackedTextFiles()
    {
        string root = CliRunner.RepositoryRoot();
        var skip = new[] { "/bin/", "/obj/", "/.git/", "/results/", "/runs/" };
        return Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => TextExtensions.Contains(Path.GetExtension(f), StringComparer.Ordinal))
            .Where(f => !skip.Any(s => f.Replace('\\', '/').Contains(s, StringComparison.Ordinal)) || f.Replace('\\', '/').Contains("/docs/results/", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(root, f));
    }

    [Fact]
    public void No_file_cites_the_papers_notes_outside_the_repository_or_an_issue_number()
    {
        string root = CliRunner.RepositoryRoot();
        // Built from parts so that this file does not match itself.
        string outsideNotes = "PAPER" + ".md";
        var issue = new Regex(@"\bissue\s+#?\d+", RegexOptions.IgnoreCase);
        var offenders = new List<string>();
        foreach (string file in TrackedTextFiles())
        {
            string text = File.ReadAllText(Path.Combine(root, file));
            if (text.Contains(outsideNotes, StringComparison.Ordinal) || issue.IsMatch(text))
            {
                offenders.Add(file);
            }
        }
        Assert.True(offenders.Count == 0, "cite a file outside the repository or an issue number: " + string.Join(", ", offenders));
        Assert.True(File.Exists(Path.Combine(root, "docs", "paper.md")), "docs/paper.md, the repository's own account of the paper, is missing");
    }
}
