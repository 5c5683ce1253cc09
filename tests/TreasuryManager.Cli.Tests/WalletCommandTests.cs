using System.Text.Json;
using System.Text.Json.Nodes;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Wallets;

namespace TreasuryManager.Cli.Tests;

public sealed class WalletCommandTests : IDisposable
{
    private const string Password = "pw-5d1c7e";
    private const string DevKey1 = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
    private const string DevAddress1 = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static TestConsole WithPassword(string stdin = "")
    {
        var console = new TestConsole { StandardInput = stdin };
        console.Environment["TREASURY_KEYSTORE_PASSWORD"] = Password;
        return console;
    }

    private static string AddressLine(string output) =>
        output.Split('\n').Single(l => l.StartsWith("address:", StringComparison.Ordinal))["address:".Length..].Trim();

    private static void AssertOneErrorLine(int exit, string output, string error, int code = TreasuryCli.BadInput)
    {
        Assert.Equal(code, exit);
        Assert.Equal("", output);
        Assert.StartsWith("error: ", error);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task New_then_address_round_trips_and_the_keystore_opens_with_the_password()
    {
        var path = _temp.File("keys/new.json");
        var (exit, output, error) = await WithPassword().RunAsync("wallet", "new", "--out", path);
        Assert.True(exit == 0, error);
        var printed = AddressLine(output);
        Assert.Equal(Address.Parse(printed).ToString(), printed); // EIP-55 form

        var (exit2, output2, error2) = await new TestConsole().RunAsync("wallet", "address", "--keystore", path);
        Assert.True(exit2 == 0, error2);
        Assert.Equal(printed, output2.Trim());
        Assert.Equal(printed, Keystore.Load(path, Password).Address.ToString());

        var json = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.Equal("scrypt", (string?)json["crypto"]!["kdf"]);
        Assert.Equal(3, (int)json["version"]!);
        Assert.DoesNotContain(Password, output);
    }

    [Fact]
    public async Task New_asks_twice_at_a_hidden_prompt_without_the_variable()
    {
        var path = _temp.File("k.json");
        var console = new TestConsole { PromptAnswers = new Queue<string>(["typed-pw", "typed-pw"]) };
        var (exit, output, error) = await console.RunAsync("wallet", "new", "--out", path);
        Assert.True(exit == 0, error);
        Assert.Equal(2, console.Prompts.Count);
        Assert.Equal(AddressLine(output), Keystore.Load(path, "typed-pw").Address.ToString());
    }

    [Fact]
    public async Task New_with_differing_passwords_fails_and_writes_nothing()
    {
        var path = _temp.File("k.json");
        var console = new TestConsole { PromptAnswers = new Queue<string>(["one-pw", "two-pw"]) };
        var (exit, output, error) = await console.RunAsync("wallet", "new", "--out", path);
        AssertOneErrorLine(exit, output, error);
        Assert.Contains("differ", error);
        Assert.DoesNotContain("one-pw", error);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task New_without_password_and_without_a_terminal_says_how_to_give_one()
    {
        var path = _temp.File("k.json");
        var (exit, output, error) = await new TestConsole().RunAsync("wallet", "new", "--out", path);
        AssertOneErrorLine(exit, output, error);
        Assert.Contains("set TREASURY_KEYSTORE_PASSWORD or run interactively", error);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task New_never_overwrites_a_keystore()
    {
        var path = _temp.File("k.json");
        File.WriteAllText(path, "keep me");
        var (exit, output, error) = await WithPassword().RunAsync("wallet", "new", "--out", path);
        AssertOneErrorLine(exit, output, error);
        Assert.Contains("already exists", error);
        Assert.Equal("keep me", File.ReadAllText(path));
    }

    [Theory]
    [InlineData(DevKey1 + "\n")]
    [InlineData("  59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d  \r\n")]
    public async Task Import_reads_the_key_from_stdin(string stdin)
    {
        var path = _temp.File("imported.json");
        var (exit, output, error) = await WithPassword(stdin).RunAsync("wallet", "import", "--out", path);
        Assert.True(exit == 0, error);
        Assert.Equal(DevAddress1, AddressLine(output));
        Assert.Equal(DevAddress1, Keystore.Load(path, Password).Address.ToString());
        Assert.DoesNotContain(DevKey1[2..], output + error + File.ReadAllText(path), StringComparison.OrdinalIgnoreCase);
        var (_, address, _) = await new TestConsole().RunAsync("wallet", "address", "--keystore", path);
        Assert.Equal(DevAddress1, address.Trim());
    }

    [Fact]
    public async Task Import_reads_the_key_from_a_hidden_prompt()
    {
        var path = _temp.File("imported.json");
        var console = new TestConsole { PromptAnswers = new Queue<string>([DevKey1, "pw", "pw"]) };
        var (exit, output, error) = await console.RunAsync("wallet", "import", "--out", path);
        Assert.True(exit == 0, error);
        Assert.Equal(DevAddress1, AddressLine(output));
        Assert.Contains("Private key", console.Prompts[0]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690")] // 63 digits
    [InlineData("0xZZc6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d")]
    [InlineData("0x0000000000000000000000000000000000000000000000000000000000000000")] // not a valid scalar
    public async Task Import_of_a_bad_key_is_one_line_that_does_not_echo_it(string stdin)
    {
        var path = _temp.File("imported.json");
        var (exit, output, error) = await WithPassword(stdin).RunAsync("wallet", "import", "--out", path);
        AssertOneErrorLine(exit, output, error);
        if (stdin.Length > 8) Assert.DoesNotContain(stdin[4..20], error, StringComparison.OrdinalIgnoreCase);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task Import_takes_no_key_argument()
    {
        var (exit, output, error) = await WithPassword().RunAsync("wallet", "import", DevKey1);
        AssertOneErrorLine(exit, output, error);
        Assert.DoesNotContain(DevKey1, error);
    }

    [Fact]
    public async Task Address_accepts_a_checksummed_field_and_rejects_a_bad_checksum()
    {
        var path = _temp.File("k.json");
        Keystore.Save(Ethereum.Crypto.EthKey.FromHex(DevKey1), Password, path, TestConsole.FastKdf);
        var json = JsonNode.Parse(File.ReadAllText(path))!;

        json["address"] = DevAddress1; // 0x-prefixed EIP-55, as some tools write
        File.WriteAllText(path, json.ToJsonString());
        var (exit, output, error) = await new TestConsole().RunAsync("wallet", "address", "--keystore", path);
        Assert.True(exit == 0, error);
        Assert.Equal(DevAddress1, output.Trim());

        json["address"] = DevAddress1.Replace("C51812dc3A", "c51812dc3A", StringComparison.Ordinal); // one wrong case
        File.WriteAllText(path, json.ToJsonString());
        (exit, output, error) = await new TestConsole().RunAsync("wallet", "address", "--keystore", path);
        AssertOneErrorLine(exit, output, error);
        Assert.Contains("checksum", error);
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("[1, 2]")]
    [InlineData("{\"version\": 3}")]
    [InlineData("{\"address\": \"0x1234\"}")]
    public async Task Address_of_a_bad_file_is_one_line(string content)
    {
        var path = _temp.File("bad.json");
        File.WriteAllText(path, content);
        var (exit, output, error) = await new TestConsole().RunAsync("wallet", "address", "--keystore", path);
        AssertOneErrorLine(exit, output, error);
    }

    [Theory]
    [InlineData("wallet", "address", "--keystore", "/nonexistent/dir/k.json")]
    [InlineData("wallet")]
    [InlineData("wallet", "frobnicate")]
    [InlineData("init", "--rpc", "ftp://example.org")]
    [InlineData("init", "--rpc", "not a url")]
    [InlineData("init", "--chain-id", "abc")]
    [InlineData("init", "--chain-id", "0")]
    [InlineData("deploy")]
    [InlineData("deploy", "--local", "--config", "/nonexistent/dir/appsettings.json")]
    public async Task Bad_input_exits_2_with_one_error_line(params string[] args)
    {
        var (exit, output, error) = await new TestConsole().RunAsync(args);
        AssertOneErrorLine(exit, output, error);
    }

    [Fact]
    public async Task A_keystore_that_cannot_be_written_is_named_without_the_temporary_file()
    {
        if (!OperatingSystem.IsLinux()) return; // /proc takes no new files
        var (exit, output, error) = await WithPassword().RunAsync("wallet", "new", "--out", "/proc/treasury-keeper.json");
        Assert.Equal(TreasuryCli.BadInput, exit);
        Assert.Equal("", output);
        Assert.StartsWith("error: Cannot write keystore file '/proc/treasury-keeper.json' (its folder /proc must be writable): ", error);
        Assert.DoesNotContain(".tmp", error);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task Commands_have_help()
    {
        foreach (var command in new[] { new[] { "init" }, ["deploy"], ["wallet"], ["wallet", "new"], ["wallet", "import"], ["wallet", "address"], ["wallet", "check"] })
        {
            var (exit, output, _) = await new TestConsole().RunAsync([.. command, "--help"]);
            Assert.Equal(0, exit);
            Assert.Contains("Description:", output);
        }
    }

    private string WriteKeystore(string name, string? addressField = null, bool dropAddress = false)
    {
        var json = JsonNode.Parse(Keystore.Encrypt(Ethereum.Crypto.EthKey.FromHex(DevKey1), Password, TestConsole.FastKdf))!.AsObject();
        if (addressField is not null) json["address"] = addressField;
        if (dropAddress) json.Remove("address");
        var path = _temp.File(name);
        File.WriteAllText(path, json.ToJsonString());
        return path;
    }

    [Fact]
    public async Task Check_prints_the_key_s_address_and_passes_when_the_field_agrees()
    {
        var path = WriteKeystore("ok.json");
        var (exit, output, error) = await WithPassword().RunAsync("wallet", "check", path);
        Assert.True(exit == 0, error);
        Assert.Equal(DevAddress1, AddressLine(output));
        Assert.Contains("matches the key", output);
        Assert.Equal("", error);
        Assert.DoesNotContain(Password, output);

        // the same option as `wallet address`
        (exit, output, error) = await WithPassword().RunAsync("wallet", "check", "--keystore", path);
        Assert.True(exit == 0, error);
        Assert.Equal(DevAddress1, AddressLine(output));
    }

    [Fact]
    public async Task Check_asks_at_the_terminal_when_its_output_goes_to_a_file()
    {
        // a person at a terminal, the output redirected: the question goes to the terminal (standard error), the
        // answer is read there, and the file gets the address alone (Spectre.Console used to refuse to read the
        // answer once standard output was redirected)
        var path = WriteKeystore("ok.json");
        var stdout = _temp.File("address.txt");
        var (exit, terminal) = await CliProcess.RunAtTerminalAsync(_temp.Path, "Keystore password:", Password + "\n", stdout, "wallet", "check", path);
        Assert.True(exit == 0, terminal);
        Assert.Contains("Keystore password:", terminal);
        Assert.DoesNotContain(Password, terminal); // hidden: echoed as stars only
        var written = File.ReadAllText(stdout);
        Assert.Equal(DevAddress1, AddressLine(written));
        Assert.DoesNotContain("Keystore password", written);
        Assert.DoesNotContain('\u001b', written); // no terminal control sequences in the file either
    }

    [Fact]
    public async Task Check_refuses_a_keystore_given_both_as_the_argument_and_as_keystore()
    {
        var path = WriteKeystore("ok.json");
        var (exit, output, error) = await WithPassword().RunAsync("wallet", "check", path, "--keystore", _temp.File("other.json"));
        AssertOneErrorLine(exit, output, error);
        Assert.Contains("the keystore is given twice", error);
        Assert.Contains("other.json", error);
    }

    [Fact]
    public async Task Check_fails_when_the_address_field_lies_and_names_both_addresses()
    {
        const string claimed = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
        var path = WriteKeystore("lying.json", addressField: claimed[2..].ToLowerInvariant());
        var (exit, output, error) = await WithPassword().RunAsync("wallet", "check", path);
        Assert.Equal(TreasuryCli.Failure, exit);
        Assert.Equal(DevAddress1, AddressLine(output)); // the key's real address, not the field's
        Assert.StartsWith("error: ", error);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains($"holds the key of {DevAddress1}", error);
        Assert.Contains($"\"address\" field says {claimed}", error);

        // `wallet address` only reads the field, which is why `check` exists.
        var (_, fieldOnly, _) = await new TestConsole().RunAsync("wallet", "address", "--keystore", path);
        Assert.Equal(claimed, fieldOnly.Trim());
    }

    [Fact]
    public async Task Check_of_a_keystore_without_address_field_prints_the_key_s_address()
    {
        var path = WriteKeystore("bare.json", dropAddress: true);
        var (exit, output, error) = await WithPassword().RunAsync("wallet", "check", path);
        Assert.True(exit == 0, error);
        Assert.Equal(DevAddress1, AddressLine(output));
        Assert.Contains("no \"address\" field", output);
    }

    [Fact]
    public async Task Check_opens_a_keystore_nethereum_wrote_with_scrypt_r_1()
    {
        // Nethereum's scrypt is r = 1, p = 8; n = 65536 is the first n that BouncyCastle's scrypt refuses with r = 1.
        var json = new Nethereum.KeyStore.KeyStoreScryptService().EncryptAndGenerateKeyStoreAsJson(Password,
            Convert.FromHexString(DevKey1[2..]), DevAddress1, new Nethereum.KeyStore.Model.ScryptParams { N = 65536, R = 1, P = 8, Dklen = 32 });
        var path = _temp.File("nethereum.json");
        File.WriteAllText(path, json);
        var (exit, output, error) = await WithPassword().RunAsync("wallet", "check", path);
        Assert.True(exit == 0, error);
        Assert.Equal(DevAddress1, AddressLine(output));
    }

    [Fact]
    public async Task Check_asks_for_the_password_at_a_hidden_prompt_without_the_variable()
    {
        var path = WriteKeystore("ok.json");
        var console = new TestConsole { PromptAnswers = new Queue<string>([Password]) };
        var (exit, output, error) = await console.RunAsync("wallet", "check", path);
        Assert.True(exit == 0, error);
        Assert.Single(console.Prompts);
        Assert.Equal(DevAddress1, AddressLine(output));
    }

    [Fact]
    public async Task Check_with_a_wrong_password_is_one_error_line_naming_the_variable()
    {
        var path = WriteKeystore("ok.json");
        var console = new TestConsole();
        console.Environment["TREASURY_KEYSTORE_PASSWORD"] = "not-the-pw";
        var (exit, output, error) = await console.RunAsync("wallet", "check", path);
        AssertOneErrorLine(exit, output, error);
        Assert.Contains("wrong password", error);
        Assert.Contains("TREASURY_KEYSTORE_PASSWORD", error);
        Assert.DoesNotContain("not-the-pw", error);
    }

    [Fact]
    public async Task Check_without_a_password_or_terminal_and_of_a_missing_file_say_what_to_do()
    {
        var (exit, output, error) = await new TestConsole().RunAsync("wallet", "check", WriteKeystore("ok.json"));
        AssertOneErrorLine(exit, output, error);
        Assert.Contains("set TREASURY_KEYSTORE_PASSWORD or run interactively", error);

        (exit, output, error) = await WithPassword().RunAsync("wallet", "check", _temp.File("missing.json"));
        AssertOneErrorLine(exit, output, error);
        Assert.Contains("does not exist", error);

        File.WriteAllText(_temp.File("text.json"), "not json");
        (exit, output, error) = await WithPassword().RunAsync("wallet", "check", _temp.File("text.json"));
        AssertOneErrorLine(exit, output, error);
        Assert.Contains("is not valid JSON at line 1, column 2: a keystore v3 file is a JSON object", error);
        Assert.DoesNotContain("BytePositionInLine", error); // no .NET parser text

        File.WriteAllText(_temp.File("junk.json"), "{\"version\":3}");
        (exit, output, error) = await WithPassword().RunAsync("wallet", "check", _temp.File("junk.json"));
        AssertOneErrorLine(exit, output, error);
        Assert.Contains("'crypto'", error);
    }
}
