using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Keeper.Journal;
using TreasuryManager.Strategy.Settings;

namespace TreasuryManager.Keeper.Tests;

public sealed class PostgresJournalConnectionTests
{
    [Fact]
    public void A_url_without_password_is_read_and_the_password_comes_from_the_named_variable()
    {
        var connection = PostgresJournalConnection.Parse("postgres://keeper@db.internal:6543/treasury", "FLEET_PW");
        Assert.Equal(new PostgresJournalConnection("db.internal", 6543, "treasury", "keeper", "FLEET_PW"), connection);
        Assert.Equal("postgres://keeper@db.internal:6543/treasury", connection.ToString());
        var text = connection.ConnectionString(name => name == "FLEET_PW" ? "s3cret" : null);
        Assert.Contains("Password=s3cret", text);
        var missing = Assert.Throws<InvalidOperationException>(() => connection.ConnectionString(_ => null));
        Assert.Contains("FLEET_PW is not set", missing.Message);
        Assert.Equal(5432, PostgresJournalConnection.Parse("postgresql://keeper@db/treasury").Port);
        Assert.Equal(PostgresJournalConnection.DefaultPasswordVariable, PostgresJournalConnection.Parse("Host=db;Database=t;Username=k").PasswordVariable);
    }

    [Theory]
    [InlineData("postgres://keeper:hunter2@db/treasury")]
    [InlineData("Host=db;Database=treasury;Username=keeper;Password=hunter2")]
    public void A_password_in_the_file_is_refused_with_where_to_put_it(string journal)
    {
        var error = Assert.Throws<FormatException>(() => PostgresJournalConnection.Parse(journal));
        Assert.Contains("holds the journal's password", error.Message);
        Assert.Contains("TREASURY_JOURNAL_PASSWORD", error.Message);
        Assert.DoesNotContain("hunter2", error.Message);
    }

    [Fact]
    public void The_settings_refuse_a_password_in_Journal_by_its_path_and_keep_a_SQLite_file_a_file()
    {
        var folder = Path.Combine(Path.GetTempPath(), "treasury-settings-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var file = Path.Combine(folder, "appsettings.json");
            const string rest = """
                "Vault": "0x00000000000000000000000000000000000000aa",
                "Pools": [ { "Address": "0x00000000000000000000000000000000000000a1" } ],
                "Key": { "Keystore": "keys/keeper.json" }
                """;
            File.WriteAllText(file, "{ \"Journal\": \"postgres://keeper:hunter2@db/treasury\", " + rest + " }");
            var error = Assert.Throws<SettingsException>(() => SettingsLoader.Load(file));
            Assert.Contains("Journal", error.Message);
            Assert.Contains("TREASURY_JOURNAL_PASSWORD", error.Message);

            File.WriteAllText(file, "{ \"Journal\": \"postgres://keeper@db/treasury\", \"JournalPasswordVariable\": \"FLEET_PW\", " + rest + " }");
            var fleet = SettingsLoader.Load(file);
            Assert.Equal("postgres://keeper@db/treasury", fleet.Journal); // not made into a path
            Assert.Equal("FLEET_PW", fleet.PostgresJournal!.PasswordVariable);

            File.WriteAllText(file, "{ \"Journal\": \"j.db\", " + rest + " }");
            var single = SettingsLoader.Load(file);
            Assert.Null(single.PostgresJournal);
            Assert.Equal(Path.Combine(folder, "j.db"), single.Journal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
