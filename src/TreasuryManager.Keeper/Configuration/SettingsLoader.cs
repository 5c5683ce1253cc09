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
        if (fileRequired && Directory.Exists(full))
            throw new SettingsException("--config", $"'{full}' is a folder; pass the configuration file itself, e.g. {Path.Combine(full, DefaultFileName)}");
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
            throw new SettingsException("--config", $"file '{full}' is not valid JSON: {WhereJsonFails(full) ?? e.InnerException?.Message ?? e.Message}");
        }
        catch (FormatException e)
        {
            throw new SettingsException("--config", $"file '{full}' is not valid JSON: {e.Message}");
        }
    }

    /// <summary>Where a JSON file (comments and trailing commas allowed, as the configuration reads it) first fails to parse:
    /// "line L, column C: what was found"; null when it parses (or cannot be read).</summary>
    private static string? WhereJsonFails(string path)
    {
        try
        {
            using var _ = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(path),
                new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true });
            return null;
        }
        catch (System.Text.Json.JsonException e)
        {
            var what = e.Message.Split(" Path:", 2)[0].Split(" LineNumber:", 2)[0].Trim();
            return $"line {e.LineNumber + 1}, column {e.BytePositionInLine + 1}: {what}";
        }
        catch (IOException)
        {
            return null;
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
        CheckValues(configuration);
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

    /// <summary>
    /// Every value the sources give names a declared setting and reads as its type, else one <see cref="SettingsException"/>
    /// naming the setting, the value, where it came from and what it must be: a misspelt key in the file or in a
    /// <c>TREASURY_Section__Key</c> variable would otherwise leave the setting (a fee cap, a limit) at its default unseen.
    /// Single-word <c>TREASURY_*</c> variables that name no setting are not settings (TREASURY_KEYSTORE_PASSWORD and the
    /// like) and are left alone.
    /// </summary>
    internal static void CheckValues(IConfiguration configuration)
    {
        foreach (var (key, value) in configuration.AsEnumerable())
        {
            if (value is null) continue; // a section
            var declared = SettingOverrides.Resolve(key);
            if (declared is null)
            {
                var (from, environment) = SourceOf(configuration, key);
                if (environment && !key.Contains(':', StringComparison.Ordinal)) continue;
                throw new SettingsException(key, $"is unknown (from {from}): no such setting; check its spelling against the file `treasury init` writes");
            }
            if (!declared.IsValue || value.Length == 0) continue; // an empty section or array, an empty value: as the binder reads them
            var type = Nullable.GetUnderlyingType(declared.Type) ?? declared.Type;
            if (!Reads(type, value))
                throw new SettingsException(declared.Canonical, $"'{value}' (from {SourceOf(configuration, key).From}) is not {ValueKinds.Describe(type)}");
        }
    }

    private static bool Reads(Type type, string value)
    {
        var converter = System.ComponentModel.TypeDescriptor.GetConverter(type);
        if (!converter.CanConvertFrom(typeof(string))) return true; // the binder decides
        try
        {
            converter.ConvertFromInvariantString(value);
            return true;
        }
        catch (Exception e) when (e is FormatException or NotSupportedException or ArgumentException or OverflowException)
        {
            return false;
        }
    }

    /// <summary>Which source gave the value the configuration holds for <paramref name="key"/> (the last that has it).</summary>
    private static (string From, bool Environment) SourceOf(IConfiguration configuration, string key)
    {
        if (configuration is IConfigurationRoot root)
            foreach (var provider in root.Providers.Reverse())
            {
                if (!provider.TryGet(key, out _)) continue;
                return provider switch
                {
                    Microsoft.Extensions.Configuration.Json.JsonConfigurationProvider json => ($"the file {FullPath(json.Source)}", false),
                    Microsoft.Extensions.Configuration.EnvironmentVariables.EnvironmentVariablesConfigurationProvider => ($"the environment variable {EnvironmentPrefix}{key.Replace(":", "__", StringComparison.Ordinal)}", true),
                    Microsoft.Extensions.Configuration.Memory.MemoryConfigurationProvider => ("the command line", false),
                    _ => ($"{provider}", false),
                };
            }
        return ("the configuration", false);
    }

    private static string? FullPath(Microsoft.Extensions.Configuration.FileConfigurationSource source) =>
        source.FileProvider is Microsoft.Extensions.FileProviders.PhysicalFileProvider physical && source.Path is { } file ? Path.Combine(physical.Root, file) : source.Path;

    private static string? Rooted(string baseDirectory, string? path) =>
        string.IsNullOrWhiteSpace(path) || Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(baseDirectory, path));
}
