using System.CommandLine;
using ContrastiveLab.Runtime;
using TorchSharp;

namespace ContrastiveLab.Cli;

/// <summary>Loads libtorch for a command and applies the global --threads and --device options.</summary>
public sealed record TorchSession(torch.Device Device, int Threads)
{
    /// <summary>Loads libtorch, sets threads and picks the device; logs both to <paramref name="log"/>.</summary>
    /// <exception cref="UserError">--device cuda on a machine or build without CUDA.</exception>
    public static TorchSession Start(ParseResult parse, TextWriter log)
    {
        TorchRuntime.EnsureLoaded();
        if (TorchRuntime.PatchNote is { } note)
        {
            log.WriteLine($"libtorch: {note}");
        }
        if (ConvolutionGuard.Active)
        {
            log.WriteLine($"convolution guard: {ConvolutionGuard.Describe()}");
        }
        int threads = TorchRuntime.ConfigureThreads(parse.GetValue(GlobalOptions.Threads));
        string requested = parse.GetValue(GlobalOptions.Device) ?? "auto";
        bool cuda = torch.cuda.is_available();
        var device = requested switch
        {
            "cuda" when !cuda => throw new UserError("--device cuda: no CUDA device is available (this build ships the CPU libtorch; rebuild with -p:TorchBackend=cuda on a machine with a GPU)"),
            "cuda" => torch.CUDA,
            "auto" when cuda => torch.CUDA,
            _ => torch.CPU,
        };
        log.WriteLine($"device: {device.type.ToString().ToLowerInvariant()}, threads: {threads}");
        return new TorchSession(device, threads);
    }
}
