using System.CommandLine;
using TreasuryManager.Cli.Commands;

var root = new RootCommand("TreasuryManager: a keeper and pool for DAO treasuries making markets in their own tokens.");
root.Subcommands.Add(DemoCommand.Create(Console.Out, Console.Error));
return await root.Parse(args).InvokeAsync();
