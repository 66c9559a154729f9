// Run only by browsers without ES modules (index.html loads it with `nomodule`): say so instead of a blank page.
document.getElementById('app').innerHTML =
  '<div class="unsupported" role="alert"><h1>This browser cannot run lotwatch</h1><p>Use a current Chrome, Edge, Firefox or Safari.</p></div>';
