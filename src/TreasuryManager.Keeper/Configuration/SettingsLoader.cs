using Microsoft.Extensions.Configuration;
using TreasuryManager.Keeper.Journal;
using TreasuryManager.Strategy.Settings;

namespace TreasuryManager.Keeper.Configuration;

/// <summary>
/// Reads <see cref="TreasurySettings"/> from a JSON file (comments allowed), then the environment (prefix
/// <c>TREASURY_</c>, <c>__</c> for <c>:</c>), then command-line overrides (<c>--Rpc:Url=…</c>, parsed by <see cref="SettingOverrides"/>), later sources winning.
/// </summary>
public static class SettingsLoader
{
    public const string DefaultFileName = "appsettings.json";
    public const string EnvironmentPrefix = "TREASURY_";

    /// <summary>The configuration root (for the host and Serilog) built from the three sources.</summary>
    public static IConfigurationRoot Build(string configPath, IEnumerable<string>? overrides = null, bool fileRequired = true)
    {
        var full = Path.GetFullPath(configPath);
        if (fileRequired && !File.Exists(full))
            throw new SettingsException("--config", $"file '{full}' does not exist; run `treasury init` to write one, or pass --config PATH");
        var builder = new ConfigurationBuilder()
            .SetBasePath(Path.GetDirectoryName(full)!)
            .AddJsonFile(Path.GetFileName(full), optional: !fileRequired, reloadOnChange: false)
            .AddEnvironmentVariables(EnvironmentPrefix);
        if (overrides is not null)
            builder.AddInMemoryCollection(SettingOverrides.Parse(overrides.ToArray()).Select(o => new KeyValuePair<string, string?>(o.Path, o.Value)));
        try
        {
            return builder.Build();
        }
        catch (InvalidDataException e)
        {
            throw new SettingsException("--config", $"file '{full}' is not valid JSON: {e.InnerException?.Message ?? e.Message}");
        }
        catch (FormatException e)
        {
            throw new SettingsException("--config", $"file '{full}' is not valid JSON: {e.Message}");
        }
    }

    /// <summary>Binds and validates; relative journal, keystore, log and fork-command paths become relative to the file's directory.</summary>
    public static TreasurySettings Load(string configPath, IEnumerable<string>? overrides = null)
    {
        var root = Build(configPath, overrides);
        return Bind(root, Path.GetDirectoryName(Path.GetFullPath(configPath))!);
    }

    public static TreasurySettings Bind(IConfiguration configuration, string baseDirectory)
    {
        TreasurySettings settings;
        try
        {
            settings = configuration.Get<TreasurySettings>(o => o.ErrorOnUnknownConfiguration = false) ?? new TreasurySettings();
        }
        catch (InvalidOperationException e)
        {
            throw new SettingsException("(file)", $"cannot be read: {e.InnerException?.Message ?? e.Message}");
        }
        settings = settings with
        {
            Journal = PostgresJournalConnection.IsPostgres(settings.Journal) ? settings.Journal : Rooted(baseDirectory, settings.Journal)!,
            Key = settings.Key with { Keystore = Rooted(baseDirectory, settings.Key.Keystore) },
            Log = (settings.Log ?? new LogSettings()) with { File = Rooted(baseDirectory, (settings.Log ?? new LogSettings()).File)! },
            Fork = (settings.Fork ?? new ForkSettings()) with { Command = Rooted(baseDirectory, (settings.Fork ?? new ForkSettings()).Command) },
        };
        return settings.Validate();
    }

    private static string? Rooted(string baseDirectory, string? path) =>
        string.IsNullOrWhiteSpace(path) || Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(baseDirectory, path));
}
