using TreasuryManager.Keeper.Journal;

namespace TreasuryManager.Keeper.Tests;

/// <summary>A journal file in its own temporary folder, deleted with the folder on dispose.</summary>
public sealed class TempJournal : IDisposable
{
    public TempJournal()
    {
        Folder = Path.Combine(Path.GetTempPath(), "treasury-keeper-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        FilePath = Path.Combine(Folder, "journal.db");
    }

    public string Folder { get; }

    public string FilePath { get; }

    public TransactionJournal Open(TimeProvider? time = null) => TransactionJournal.Open(FilePath, time);

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); }
        catch (IOException) { }
    }
}
