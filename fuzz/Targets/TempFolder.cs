namespace CertPolicy.Fuzzing;

/// <summary>A folder of the fuzz process's own under the temporary folder, emptied before each input.</summary>
internal static class TempFolder
{
    /// <summary>A fresh, empty folder for one input of one target.</summary>
    public static string Fresh(string target)
    {
        string path = Path.Combine(Path.GetTempPath(), $"certpolicy-fuzz-{Environment.ProcessId}-{Environment.CurrentManagedThreadId}", target);
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }

        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Writes the input as a file of that name in a fresh folder for the target.</summary>
    /// <returns>The file's path.</returns>
    public static string WriteInput(string target, string fileName, ReadOnlySpan<byte> input)
    {
        string file = Path.Combine(Fresh(target), fileName);
        File.WriteAllBytes(file, input.ToArray());
        return file;
    }
}
