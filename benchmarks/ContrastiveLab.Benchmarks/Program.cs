using System.Globalization;
using ContrastiveLab.Benchmarks;

if (args.Length > 0 && args[0] == "loss-bank")
{
    LossBankBenchmark.Run(args.Length > 1 ? long.Parse(args[1], CultureInfo.InvariantCulture) : 1_281_167);
    return;
}

Console.WriteLine("usage: ContrastiveLab.Benchmarks loss-bank [M]");
