using System.CommandLine;
using TreasuryManager.Cli;

return TreasuryCli.Run(args, Console.Out, Console.Error);
