using ContrastiveLab.Cli;
using ContrastiveLab.Runtime;

MallocTuning.Apply();
return CliApp.Run(args);
