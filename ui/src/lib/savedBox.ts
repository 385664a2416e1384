/**
 * A checkbox's change handler for a setting that is saved by `apply`: the
 * box goes back to what is saved (`saved()`) and shows the new value only
 * once the saved status changes, so a change refused before anything is
 * saved (a bad port) leaves it as it was.
 */
export function savedBox(
  saved: () => boolean,
  apply: (wanted: boolean) => void,
): (e: Event & { currentTarget: HTMLInputElement }) => void {
  return (e) => {
    const wanted = e.currentTarget.checked;
    e.currentTarget.checked = saved();
    apply(wanted);
  };
}
