using TreasuryManager.Cli;
using TreasuryManager.Cli.Commands;

return await TreasuryCli.RunAsync(args, CliConsole.FromSystemConsole());
