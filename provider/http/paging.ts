/**
 * The bound on every loop over a paged collection (Partner Center's `links.next` and
 * continuation tokens). A server that always offers one more page — a bug, a proxy replaying a
 * page, a hostile endpoint — must not hold a run forever: seatplan stops with an error, never
 * with a silently partial list (a subscription missing from a list would be planned as a
 * purchase). Pure: the caller fetches, this decides.
 */

/** Pages of one collection before seatplan gives up. @default 1000 (500,000 customers at 500 a page) */
export const MAX_PAGES = 1000;

export type PageVerdict =
  | { readonly follow: true }
  | { readonly follow: false; readonly done: true }
  | { readonly follow: false; readonly done: false; readonly code: "PagingLoop" | "TooManyPages" | "EmptyPageWithNext"; readonly message: string };

export interface PageGuard {
  /**
   * Called after each page with its item count and the key of the page it links to (`null`:
   * the last page). `follow: true` means fetch that page next.
   */
  next(items: number, link: string | null): PageVerdict;
}

/** A guard for the collection `what` (named in the messages, e.g. "/v1/customers"). */
export function pageGuard(what: string, maxPages: number = MAX_PAGES): PageGuard {
  const seen = new Set<string>();
  let pages = 0;
  return {
    next(items, link) {
      pages++;
      if (link === null) return { follow: false, done: true };
      if (items === 0) {
        return { follow: false, done: false, code: "EmptyPageWithNext", message: `the server returned an empty page of ${what} that links to another; nothing was changed, run again later` };
      }
      if (seen.has(link)) {
        return { follow: false, done: false, code: "PagingLoop", message: `the server returned the same page link twice for ${what}; nothing was changed, run again` };
      }
      if (pages >= maxPages) {
        return { follow: false, done: false, code: "TooManyPages", message: `the server offered more than ${maxPages} pages of ${what}; seatplan stops there rather than loop (nothing was changed)` };
      }
      seen.add(link);
      return { follow: true };
    },
  };
}
