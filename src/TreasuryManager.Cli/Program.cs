using TreasuryManager.Cli;

return await TreasuryCli.RunAsync(args, Console.Out, Console.Error);
