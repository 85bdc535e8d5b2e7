/*
 * Read-ahead for ext2 files. The blocks of a read that are not cached come
 * in as runs of adjacent disk blocks, one device request per run
 * (bcache_read_run), not one request per block; and a file read in order
 * (each read starting where the last one ended, or at 0) has blocks brought
 * in ahead of it: a window that doubles from EXT2_RA_MIN to EXT2_RA_MAX
 * blocks (at most a quarter of the cache, so that it never pushes out blocks
 * it brought in before they are read), asked for again once less than half of
 * it is left ahead.
 *
 * Read-ahead's own blocks are hints: a block it could not bring in (an
 * error, a full cache) is read by the read that wants it, if any, and a run's
 * error fails the read only when the run held some of the read's own blocks
 * (a disk whose driver died three times holding it: EIO, as without
 * read-ahead). The streams are remembered by inode number only, for the last
 * EXT2_STREAMS files; a wrong guess costs reads, never bytes.
 */
#include "ext2.h"

static struct ext2_stream *
stream_of(struct ext2 *e, uint32_t ino)
{
	struct ext2_stream *s;

	for (unsigned i = 0; i < EXT2_STREAMS; i++)
		if (e->streams[i].ino == ino)
			return &e->streams[i];
	s = &e->streams[e->stream_next++ % EXT2_STREAMS];
	*s = (struct ext2_stream){ .ino = ino };
	return s;
}

/*
 * Logical blocks [from, to) of the file, as runs of adjacent disk blocks not
 * cached yet. 0, or the error of a run that held one of the blocks before
 * `own` (the read's own, not read-ahead's).
 */
static int
fetch(struct ext2 *e, struct ext2_inode *in, uint64_t from, uint64_t to, uint64_t own)
{
	uint64_t start = 0, start_l = 0;
	size_t len = 0, most = bcache_run_max(e->bc);
	uint32_t pblk = 0, run = 0;
	int err;

	for (uint64_t l = from; l <= to; l++, pblk += pblk != 0, run--) {
		bool want = false;

		if (l < to && run == 0 &&
		    ext2_bmap_run(e, in, l, to - l < most ? (uint32_t)(to - l) : (uint32_t)most, &pblk, &run) != 0)
			to = l;	/* the read finds the error itself */
		if (l < to)
			want = pblk != 0 && !bcache_cached(e->bc, pblk);
		if (want && len > 0 && pblk == start + len && len < most)
			len++;
		else {
			if (len > 0 && (err = bcache_read_run(e->bc, start, len)) != 0)
				return start_l < own ? err : 0;
			len = 0;
			if (want) {
				start = pblk;
				start_l = l;
				len = 1;
			}
		}
		if (l == to)
			break;
	}
	return 0;
}

int
ext2_readahead(struct ext2 *e, uint32_t ino, struct ext2_inode *in, uint64_t off, size_t n)
{
	struct ext2_stream *s = stream_of(e, ino);
	uint64_t nblocks = (ext2_isize(in) + e->bsize - 1) / e->bsize;
	uint64_t first = off / e->bsize, to = (off + n + e->bsize - 1) / e->bsize, from = first, own = to;
	int err = 0;

	if (off == s->next_off) {
		s->window = s->window ? s->window * 2 : EXT2_RA_MIN;
		if (s->window > EXT2_RA_MAX)
			s->window = EXT2_RA_MAX;
		if (s->window > bcache_run_max(e->bc))
			s->window = (uint32_t)bcache_run_max(e->bc);	/* else it pushes out its own blocks */
		if (s->ra_end > first && s->ra_end >= to + s->window / 2) {
			from = to;	/* enough ahead already */
		} else {
			if (s->ra_end > first)
				from = s->ra_end;
			to += s->window;
		}
	} else {
		s->window = 0;	/* a jump: only this read's blocks */
	}
	if (to > nblocks)
		to = nblocks;
	if (from < to)
		err = fetch(e, in, from, to, own);
	if (to > s->ra_end || off != s->next_off)
		s->ra_end = to;
	s->next_off = off + n;
	return err;
}
