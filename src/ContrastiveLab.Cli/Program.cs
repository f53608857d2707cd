using ContrastiveLab.Cli;
using ContrastiveLab.Runtime;

// Training commands run in a supervised child, so that a death by signal inside libtorch is recorded and said.
if (Supervisor.Applies(args))
{
    return Supervisor.Run(args, Console.Error);
}
Supervisor.AttachToParent();
CtrlCCancellation.GuardLateSignals();
MallocTuning.Apply();
return CliApp.Run(args);
