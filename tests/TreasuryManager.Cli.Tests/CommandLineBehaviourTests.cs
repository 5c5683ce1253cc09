using System.Globalization;
using System.Text.RegularExpressions;
using TreasuryManager.Cli.Commands;
using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Models.Formatting;
using TreasuryManager.Strategy.Settings;

namespace TreasuryManager.Cli.Tests;

/// <summary>
/// What the command line promises without a node: the overrides the template's header announces parse and apply, a bad
/// one is one line naming it; numbers print in fixed decimals; an unexpected exception is one line naming the log that
/// holds its detail.
/// </summary>
public sealed partial class CommandLineBehaviourTests : IDisposable
{
    private const string VaultAddress = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
    private const string PoolAddress = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [GeneratedRegex(@"on the command line[^(]*\((--[^ ,)]+)")]
    private static partial Regex TemplateExample();

    [Theory]
    [InlineData("unknown command 'stauts' for `treasury`; did you mean 'status'?; its commands: reproduce, demo, init, deploy, wallet, backtest, status, rebalance, keeper", "stauts")]
    [InlineData("unknown command 'nope' for `treasury reproduce`; its commands: avellaneda-stoikov, lvr-fees", "reproduce", "nope")]
    [InlineData("`treasury wallet` needs a command: new, import, address, check (`treasury wallet <command> --help` for one)", "wallet")]
    [InlineData("`treasury keeper` needs a command: run (`treasury keeper <command> --help` for one)", "keeper")]
    [InlineData("unknown option '--strategy' for `treasury backtest`; did you mean '--strategies'?; see `treasury backtest --help`", "backtest", "--strategy", "managed")]
    public async Task A_mistyped_or_missing_command_or_option_is_named_with_what_there_is(string expected, params string[] args)
    {
        var (exit, output, error) = await new TestConsole().RunAsync(args);
        Assert.Equal(TreasuryCli.BadInput, exit);
        Assert.Equal("", output);
        Assert.Equal($"error: {expected}", error.TrimEnd());
    }

    [Theory]
    [InlineData("status")]
    [InlineData("rebalance")]
    [InlineData("keeper", "run")]
    public async Task The_usage_line_of_a_command_that_takes_overrides_names_them(params string[] command)
    {
        var (exit, output, _) = await new TestConsole().RunAsync([.. command, "--help"]);
        Assert.Equal(0, exit);
        Assert.Contains($"{string.Join(' ', command)} [options] [--Section:Key=value ...]", output);
        Assert.DoesNotContain("additional arguments", output);
    }

    [Fact]
    public void The_override_the_template_announces_parses_and_sets_that_setting()
    {
        var template = InitCommand.Render(new RpcSettings());
        var example = TemplateExample().Match(template.ReplaceLineEndings(" ").Replace("// ", "", StringComparison.Ordinal));
        Assert.True(example.Success, "the template's header shows a command-line override");
        var parsed = Assert.Single(SettingOverrides.Parse([example.Groups[1].Value]));
        Assert.Equal("Rpc:Url", parsed.Path);
        Assert.Equal(SettingOverrides.Example, example.Groups[1].Value);

        var path = _temp.File("appsettings.json");
        File.WriteAllText(path, template);
        var settings = SettingsLoader.Load(path,
            [example.Groups[1].Value, "--vault", VaultAddress, $"--Pools:0:Address={PoolAddress}", "--Key:MnemonicEnv", "M", "--Gas:Confirmations=7", "--Log:File=elsewhere/k.log"]);
        Assert.Equal("http://127.0.0.1:8545", settings.Rpc.Url);
        Assert.Equal(VaultAddress, settings.Vault);
        Assert.Equal(7, settings.Gas.Confirmations);
        Assert.Equal(Path.Combine(_temp.Path, "elsewhere", "k.log"), settings.Log.File);
    }

    [Theory]
    [InlineData("--Rpc:Uri=http://x", "Rpc:Uri", "is unknown")]
    [InlineData("--Gas", "--Gas", "neither an option")]
    [InlineData("--Gas:Confirmations", "--Gas:Confirmations", "has no value")]
    [InlineData("--Rpc::Url=1", "--Rpc::Url=1", "malformed")]
    [InlineData("stray", "stray", "neither an option")]
    [InlineData("--Pools:x:Address=0x1", "Pools:x:Address", "is unknown")]
    public void A_bad_override_is_one_problem_naming_it(string token, string named, string problem)
    {
        var e = Assert.Throws<SettingsException>(() => SettingOverrides.Parse([token]));
        Assert.Equal(named, e.Path);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        Assert.Contains(SettingOverrides.Example, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_setting_given_twice_on_the_command_line_is_refused_naming_both_values()
    {
        var e = Assert.Throws<SettingsException>(() => SettingOverrides.Parse(["--Vault=0xa", "--vault", "0xb"]));
        Assert.Equal("Vault", e.Path);
        Assert.Contains("is given twice on the command line ('0xa' and '0xb'); give it once", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_applies_overrides_and_rejects_an_unknown_one_in_one_line()
    {
        var config = _temp.File("appsettings.json");
        Assert.Equal(0, (await new TestConsole().RunAsync("init", "--out", config)).Exit);

        var unknown = await new TestConsole().RunAsync("status", "--config", config, "--Rpc:Uri=http://127.0.0.1:1");
        Assert.Equal(TreasuryCli.BadInput, unknown.Exit);
        Assert.Single(unknown.Err.TrimEnd().Split('\n'));
        Assert.Contains("Rpc:Uri is unknown", unknown.Err, StringComparison.Ordinal);

        // the file names no vault, pool or key: the overrides fill them, and the RPC URL points where nothing listens,
        // so the failure names the overridden URL (the overrides were applied)
        var console = new TestConsole();
        console.Environment["M"] = "test test test test test test test test test test test junk";
        var applied = await console.RunAsync("status", "--config", config, "--Rpc:Url", "http://127.0.0.1:9", "--Rpc:TimeoutSeconds=2",
            $"--Vault={VaultAddress}", $"--Pools:0:Address={PoolAddress}", "--Key:MnemonicEnv=M");
        Assert.Equal(TreasuryCli.Failure, applied.Exit);
        Assert.Single(applied.Err.TrimEnd().Split('\n'));
        Assert.Contains("127.0.0.1:9", applied.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1.4552e-11, "0")]
    [InlineData(0, "0")]
    [InlineData(2.5, "2.5000")]
    [InlineData(0.0123, "0.012300")]
    [InlineData(1e-7, "0.00000010")]
    [InlineData(999.99, "999.99")]
    [InlineData(1234567.8, "1,234,568")]
    [InlineData(-42.125, "-42.125")]
    [InlineData(double.NaN, "—")]
    public void Numbers_print_in_fixed_decimals(double value, string expected) => Assert.Equal(expected, Numbers.Fixed(value));

    [Fact]
    public void No_number_prints_in_exponent_notation()
    {
        var random = new Random(17);
        for (var i = 0; i < 10_000; i++)
        {
            var v = (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-20, 20));
            var text = Numbers.Fixed(v);
            Assert.DoesNotContain("E", text, StringComparison.OrdinalIgnoreCase);
            Assert.True(double.Parse(text, NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture) is var back
                && Math.Abs(back - v) <= (Math.Abs(v) >= 1000 ? 0.5 : Math.Max(Math.Abs(v) * 1e-4, Math.Pow(10, -Numbers.MaxDecimals))), $"{v} printed as {text}");
        }
    }

    [Fact]
    public async Task An_unexpected_exception_is_one_line_naming_the_log_that_holds_its_stack()
    {
        var log = _temp.File("errors.log");
        using var stderr = new StringWriter();
        var io = new CliConsole { Out = new ExplodingWriter(), Error = stderr, ErrorLogPath = log };

        var exit = await TreasuryCli.RunAsync(["reproduce", "avellaneda-stoikov", "--paths", "5"], io);

        Assert.Equal(TreasuryCli.Failure, exit);
        var line = Assert.Single(stderr.ToString().TrimEnd().Split('\n'));
        Assert.Equal($"error: {ExplodingWriter.Message} (details: {log})", line.TrimEnd('\r'));
        var detail = File.ReadAllText(log);
        Assert.Contains(typeof(InvalidOperationException).FullName!, detail, StringComparison.Ordinal);
        Assert.Contains(" at ", detail, StringComparison.Ordinal); // the stack is in the file, not on the console
        Assert.Contains("reproduce avellaneda-stoikov --paths 5", detail, StringComparison.Ordinal);
    }

    /// <summary>An output that fails as no command expects (a broken pipe would be an IOException, which commands handle).</summary>
    private sealed class ExplodingWriter : StringWriter
    {
        public const string Message = "the output writer broke";
        public override void Write(char value) => throw new InvalidOperationException(Message);
        public override void Write(string? value) => throw new InvalidOperationException(Message);
        public override void WriteLine(string? value) => throw new InvalidOperationException(Message);
    }
}
