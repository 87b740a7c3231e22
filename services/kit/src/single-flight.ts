/**
 * One call in flight shared by everyone who asks meanwhile: registrations arrive by the hundred
 * and each wants the chain tip (a file read and JSON parse, or a node query); the tip a read
 * started a moment earlier is as good as a new one (the KES window is checked at "a tip read
 * while the request is handled", never at an exact instant). A failed call is not kept.
 */
export function singleFlight<T>(call: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | undefined;
  return () => {
    if (inFlight === undefined) {
      const started = call();
      inFlight = started;
      const clear = () => {
        if (inFlight === started) inFlight = undefined;
      };
      started.then(clear, clear);
    }
    return inFlight;
  };
}
