namespace CertPolicy;

/// <summary>
/// An immutable view of the approvals at one version of the file: the parsed approvals, the bytes they were parsed
/// from, the file's <see cref="FileStamp"/> when it was read, and whether that stamp alone proves the file unchanged.
/// </summary>
/// <remarks>
/// <para>
/// A stamp (length and last write time) proves "unchanged" only once no later write can share it. A write within the
/// same tick of the file system's clock can keep the length and the time (ramfs ticks every 4 ms; FAT every 2 s), so
/// a view read less than <see cref="SettleDelay"/> after the file's last write time is <i>unsettled</i>: each check
/// compares the file's bytes with <see cref="Content"/> until a check made at least <see cref="SettleDelay"/> after
/// the last write time finds them equal; from then on a check is one <c>stat</c>. (The same reasoning as Git's
/// "racily clean" index entries.)
/// </para>
/// <para>
/// Not covered: a writer that sets the file's last write time back to that of an earlier version of the same length
/// more than <see cref="SettleDelay"/> after that version was written, and a file server whose clock runs more than
/// <see cref="SettleDelay"/> behind this machine's.
/// </para>
/// </remarks>
internal sealed class ApprovalSnapshot
{
    /// <summary>How long after a file's last write time its stamp may still be shared by a later write. Covers a 2 s FAT tick and some clock offset.</summary>
    public static readonly TimeSpan SettleDelay = TimeSpan.FromSeconds(3);

    private ApprovalSnapshot(FileStamp stamp, byte[] content, Dictionary<ApprovalKey, CertificateApproval> approvals, bool cacheable, bool settled)
    {
        Stamp = stamp;
        Content = content;
        Approvals = approvals;
        Ordered = ApprovalOrder.Sort(approvals.Values);
        ByServer = Ordered.GroupBy(a => (a.Server.Host, a.Server.Port)).ToDictionary(g => g.Key, g => g.ToArray());
        Cacheable = cacheable;
        Settled = settled;
    }

    /// <summary>Before the first read; matches no stamp, not even that of a missing file.</summary>
    public static ApprovalSnapshot NotLoaded { get; } = new(new FileStamp(false, -1, default), [], [], cacheable: true, settled: true);

    public FileStamp Stamp { get; }

    /// <summary>The bytes the approvals were parsed from (empty for a missing file).</summary>
    public byte[] Content { get; }

    public Dictionary<ApprovalKey, CertificateApproval> Approvals { get; }

    public CertificateApproval[] Ordered { get; }

    /// <summary>The approvals of each server (normalised host and port).</summary>
    public Dictionary<(string Host, int Port), CertificateApproval[]> ByServer { get; }

    /// <summary>False for a view that must not be reused: a failed read, or a damaged file left in place.</summary>
    public bool Cacheable { get; }

    /// <summary>True when a <c>stat</c> showing <see cref="Stamp"/> proves the file unchanged.</summary>
    public bool Settled { get; }

    /// <summary>An empty view: a missing file (settled: there is nothing a same-tick write could hide), or a view not to reuse.</summary>
    public static ApprovalSnapshot Empty(FileStamp stamp, bool cacheable = true) => new(stamp, [], [], cacheable, settled: !stamp.Exists);

    /// <summary>A view of a file read at <paramref name="readStartedUtc"/>.</summary>
    public static ApprovalSnapshot From(ApprovalFileModel model, FileStamp stamp, byte[] content, DateTimeOffset readStartedUtc)
    {
        var approvals = new Dictionary<ApprovalKey, CertificateApproval>();
        foreach (ApprovalEntryModel entry in model.Approvals)
        {
            CertificateApproval approval = ApprovalFileFormat.ToApproval(entry);
            approvals[approval.Key] = approval;
        }

        return new ApprovalSnapshot(stamp, content, approvals, cacheable: true, settled: Settles(stamp, readStartedUtc));
    }

    /// <summary>
    /// True when a read that started at <paramref name="readStartedUtc"/> saw the last version that can carry
    /// <paramref name="stamp"/>: any later write lands in a later tick of the file system's clock.
    /// </summary>
    public static bool Settles(FileStamp stamp, DateTimeOffset readStartedUtc) =>
        !stamp.Exists || readStartedUtc.UtcDateTime - stamp.LastWriteUtc >= SettleDelay;

    /// <summary>What a fresh <c>stat</c> of the file says about this view.</summary>
    public StampCheck Check(FileStamp current) =>
        current != Stamp ? StampCheck.Changed : Settled ? StampCheck.Unchanged : StampCheck.CompareContent;

    /// <summary>The same view, after a read started at <paramref name="readStartedUtc"/> found the same stamp and bytes.</summary>
    public ApprovalSnapshot Confirmed(DateTimeOffset readStartedUtc) =>
        Settled || !Settles(Stamp, readStartedUtc) ? this : new ApprovalSnapshot(Stamp, Content, Approvals, Cacheable, settled: true);

    /// <summary>The same approvals at a new stamp (a rewrite with the same bytes, or the view this store just wrote).</summary>
    public ApprovalSnapshot Restamped(FileStamp stamp, byte[] content, DateTimeOffset readStartedUtc) =>
        new(stamp, content, Approvals, Cacheable, Settles(stamp, readStartedUtc));
}

/// <summary>The outcome of comparing a snapshot's stamp with the file's.</summary>
internal enum StampCheck
{
    /// <summary>The stamp proves the file unchanged.</summary>
    Unchanged,

    /// <summary>The stamp differs: read the file again.</summary>
    Changed,

    /// <summary>The stamp is the same but cannot prove it: compare the bytes.</summary>
    CompareContent,
}
