using System.Text.RegularExpressions;
using System.Xml.Linq;
using ContrastiveLab.Tests.Cli;

namespace ContrastiveLab.Tests;

/// <summary>
/// The shape docs/architecture.md describes, checked: project references run one way, Core does no I/O, Reports and
/// RunFormat never see TorchSharp, and the folders inside ContrastiveLab form layers without a cycle.
/// </summary>
public sealed class ArchitectureTests
{
    private static readonly string Src = Path.Combine(CliRunner.RepositoryRoot(), "src");

    // What each project may reference. A new reference is a decision: make it here and in docs/architecture.md.
    private static readonly Dictionary<string, string[]> AllowedReferences = new(StringComparer.Ordinal)
    {
        ["ContrastiveLab.Core"] = [],
        ["ContrastiveLab.RunFormat"] = [],
        ["ContrastiveLab"] = ["ContrastiveLab.Core", "ContrastiveLab.RunFormat"],
        ["ContrastiveLab.Reports"] = ["ContrastiveLab.RunFormat"],
        ["ContrastiveLab.Cli"] = ["ContrastiveLab", "ContrastiveLab.Reports", "ContrastiveLab.Core", "ContrastiveLab.RunFormat"],
    };

    private static IEnumerable<string> Sources(string directory) => Directory.EnumerateFiles(directory, "*.cs", SearchOption.AllDirectories)
        .Where(f => !f.Replace('\\', '/').Contains("/obj/", StringComparison.Ordinal) && !f.Replace('\\', '/').Contains("/bin/", StringComparison.Ordinal));

    // Comments and string literals say things about files and folders; only code counts.
    private static string Code(string path)
    {
        string text = File.ReadAllText(path);
        text = Regex.Replace(text, @"//[^\n]*", "");
        text = Regex.Replace(text, @"/\*.*?\*/", "", RegexOptions.Singleline);
        return Regex.Replace(text, @"@?\$?""(?:[^""\\\n]|\\.)*""", "\"\"");
    }

    private static XDocument Project(string name) => XDocument.Load(Path.Combine(Src, name, name + ".csproj"));

    [Fact]
    public void Project_references_run_one_way()
    {
        var projects = Directory.GetDirectories(Src).Select(Path.GetFileName).OfType<string>().Where(n => File.Exists(Path.Combine(Src, n, n + ".csproj"))).ToList();
        Assert.Equal(AllowedReferences.Keys.Order(StringComparer.Ordinal), projects.Order(StringComparer.Ordinal));
        foreach (string project in projects)
        {
            var references = Project(project).Descendants("ProjectReference")
                .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/')))
                .ToList();
            var extra = references.Except(AllowedReferences[project]).ToList();
            Assert.True(extra.Count == 0, $"{project} references {string.Join(", ", extra)}, which it may not (see docs/architecture.md)");
        }
    }

    [Fact]
    public void Core_does_no_file_console_or_clock_access()
    {
        var io = new Regex(@"\b(File|Directory|Console|Path|FileStream|StreamReader|StreamWriter|Stopwatch|DateTime|DateTimeOffset|Environment|Process)\s*\.");
        var offenders = Sources(Path.Combine(Src, "ContrastiveLab.Core"))
            .SelectMany(f => io.Matches(Code(f)).Select(m => $"{Path.GetFileName(f)}: {m.Value}"))
            .ToList();
        Assert.True(offenders.Count == 0, "ContrastiveLab.Core must stay free of I/O: " + string.Join("; ", offenders));
        var packages = Project("ContrastiveLab.Core").Descendants("PackageReference").Select(p => p.Attribute("Include")!.Value)
            .Where(p => !p.StartsWith("libtorch", StringComparison.Ordinal));
        Assert.Equal(["TorchSharp"], packages);
    }

    [Theory]
    [InlineData("ContrastiveLab.Reports")]
    [InlineData("ContrastiveLab.RunFormat")]
    public void Reports_and_the_run_format_never_reference_TorchSharp(string project)
    {
        Assert.DoesNotContain(Project(project).Descendants("PackageReference"), p => p.Attribute("Include")!.Value.Contains("torch", StringComparison.OrdinalIgnoreCase));
        var assembly = project == "ContrastiveLab.Reports" ? typeof(ContrastiveLab.Reports.ReportBuilder).Assembly : typeof(ContrastiveLab.RunFormat.RunFiles).Assembly;
        Assert.DoesNotContain(assembly.GetReferencedAssemblies(), a => a.Name!.Contains("Torch", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(Sources(Path.Combine(Src, project)), f => Code(f).Contains("TorchSharp", StringComparison.Ordinal));
    }

    [Fact]
    public void The_folders_of_ContrastiveLab_have_no_cycle()
    {
        string root = Path.Combine(Src, "ContrastiveLab");
        var folders = Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>().Where(n => n is not ("bin" or "obj")).ToList();
        var uses = folders.ToDictionary(f => f, _ => new Dictionary<string, string>(StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (string folder in folders)
        {
            foreach (string file in Sources(Path.Combine(root, folder)))
            {
                string code = Code(file);
                foreach (string other in folders.Where(o => o != folder))
                {
                    // A using, a fully qualified name, or a name qualified from the root namespace (Models.ModelFactory).
                    string name = Regex.Escape(other);
                    if (Regex.IsMatch(code, $@"using ContrastiveLab\.{name}\b|ContrastiveLab\.{name}\.|(?<![\w.]){name}\.[A-Z]"))
                    {
                        uses[folder].TryAdd(other, Path.GetFileName(file));
                    }
                }
            }
        }
        // Depth-first search for a path back to the start.
        foreach (string start in folders)
        {
            var path = new List<string>();
            if (Cycle(start, start, path, []))
            {
                var edges = path.Zip(path.Skip(1).Append(start), (a, b) => $"{a} → {b} ({uses[a][b]})");
                Assert.Fail("folders import each other: " + string.Join(", ", edges));
            }
        }

        bool Cycle(string at, string target, List<string> path, HashSet<string> seen)
        {
            path.Add(at);
            foreach (string next in uses[at].Keys)
            {
                if (next == target || (seen.Add(next) && Cycle(next, target, path, seen)))
                {
                    return true;
                }
            }
            path.RemoveAt(path.Count - 1);
            return false;
        }
    }
}
